import { inRange, noRenditionInRange, type ResolutionFilter } from './resolution-filter';

// Representation and AdaptationSet elements never nest in themselves, so a lazy match to the
// closing tag is exact; this keeps playback free of an XML parser on the hot path.
const ADAPTATION_SET = /<AdaptationSet\b([^>]*?)(\/>|>([\s\S]*?)<\/AdaptationSet>)/g;
const REPRESENTATION = /<Representation\b([^>]*?)(\/>|>[\s\S]*?<\/Representation>)/g;
const ABSOLUTE = /^([a-z][a-z0-9+.-]*:|\/)/i;

function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(attrs);
  return m ? m[1] : undefined;
}

/**
 * Drops the video Representations of an MPD whose height is outside the filter (the height of
 * the Representation, else of its AdaptationSet), and AdaptationSets left without any.
 * Representations without a height (audio) stay. Throws when no video Representation is left.
 */
export function filterMpd(xml: string, filter: ResolutionFilter): string {
  let videoReps = 0;
  let kept = 0;
  const out = xml.replace(ADAPTATION_SET, (set: string, setAttrs: string, _end, body?: string) => {
    if (body === undefined) return set;
    const setHeight = attr(setAttrs, 'height');
    let setVideo = 0;
    let setKept = 0;
    const newBody = body.replace(REPRESENTATION, (rep: string, repAttrs: string) => {
      const h = attr(repAttrs, 'height') ?? setHeight;
      if (h === undefined) return rep;
      setVideo++;
      if (!inRange(Number(h), filter)) return '';
      setKept++;
      return rep;
    });
    videoReps += setVideo;
    kept += setKept;
    if (setVideo > 0 && setKept === 0) return '';
    return `<AdaptationSet${setAttrs}>${newBody.replace(/\n[ \t]*(?=\n)/g, '')}</AdaptationSet>`;
  });
  if (videoReps > 0 && kept === 0) throw noRenditionInRange(filter);
  return out.replace(/\n[ \t]*(?=\n)/g, '');
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Makes the MPD resolve its segments under `base` wherever it is served from: prefixes a
 * relative MPD-level BaseURL, or adds one (after ProgramInformation, as the schema orders it).
 */
export function rebaseMpd(xml: string, base: string): string {
  const periodAt = xml.search(/<Period\b/);
  const head = periodAt < 0 ? xml : xml.slice(0, periodAt);
  const tail = periodAt < 0 ? '' : xml.slice(periodAt);
  const existing = /<BaseURL([^>]*)>([^<]*)<\/BaseURL>/.exec(head);
  if (existing) {
    const url = existing[2].trim();
    if (ABSOLUTE.test(url)) return xml;
    const replaced = `<BaseURL${existing[1]}>${xmlEscape(base)}${url}</BaseURL>`;
    return head.replace(existing[0], replaced) + tail;
  }
  const element = `<BaseURL>${xmlEscape(base)}</BaseURL>`;
  const afterInfo = /<\/ProgramInformation>|<ProgramInformation\b[^>]*\/>/.exec(head);
  if (afterInfo) {
    const at = afterInfo.index + afterInfo[0].length;
    return `${head.slice(0, at)}\n\t${element}${head.slice(at)}${tail}`;
  }
  const mpdOpen = /<MPD\b[^>]*>/.exec(head);
  if (!mpdOpen) throw new Error('not an MPD: no <MPD> element');
  const at = mpdOpen.index + mpdOpen[0].length;
  return `${head.slice(0, at)}\n\t${element}${head.slice(at)}${tail}`;
}
