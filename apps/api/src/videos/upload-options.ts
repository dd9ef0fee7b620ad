import {
  validateTranscodeSpec,
  type FieldError,
  type TranscodeSpec,
  type TranscodeSpecInput,
} from '@kubevod/contracts';
import { ApiError } from '../errors/api-error';
import { labelErrors } from './kube-labels';

/**
 * What a client may ask for with an upload (multipart fields or tus metadata), all strings:
 *   profile=default|mobile|audio      or  renditions=<JSON array of renditions>
 *   formats=hls,dash                   (comma-separated or a JSON array)
 *   labels=<JSON object of strings>    (also label=k=v, repeatable)
 *   priority=<integer -100..100>
 */
export const UPLOAD_OPTION_FIELDS = [
  'profile',
  'renditions',
  'formats',
  'labels',
  'label',
  'priority',
];
/** Fields the tus protocol and clients send along that are not options. */
const IGNORED_FIELDS = new Set(['filename', 'filetype', 'name', 'type', 'contentType']);

export type UploadOptions = Omit<TranscodeSpecInput, 'source'>;

function parseJson(path: string, text: string, errors: FieldError[]): unknown {
  try {
    return JSON.parse(text);
  } catch {
    errors.push({ path, message: 'must be valid JSON' });
    return undefined;
  }
}

/** Turns the fields of a request into Transcode spec options; throws 400 InvalidOptions listing every problem. */
export function parseUploadOptions(fields: Record<string, string[]>): UploadOptions {
  const errors: FieldError[] = [];
  const options: UploadOptions = {};
  const one = (name: string): string | undefined => {
    const values = fields[name];
    if (!values || values.length === 0) return undefined;
    if (values.length > 1) errors.push({ path: name, message: 'may be given only once' });
    return values[0];
  };

  for (const name of Object.keys(fields)) {
    if (!UPLOAD_OPTION_FIELDS.includes(name) && !IGNORED_FIELDS.has(name)) {
      errors.push({
        path: name,
        message: `unknown option; expected one of ${UPLOAD_OPTION_FIELDS.join(', ')}`,
      });
    }
  }

  const profile = one('profile');
  const renditions = one('renditions');
  if (profile !== undefined && renditions !== undefined) {
    errors.push({ path: 'ladder', message: 'set exactly one of profile or renditions' });
  }
  if (profile !== undefined) options.ladder = { profile: profile as never };
  if (renditions !== undefined) {
    const parsed = parseJson('ladder.renditions', renditions, errors);
    if (parsed !== undefined) options.ladder = { renditions: parsed as never };
  }

  const formats = one('formats');
  if (formats !== undefined) {
    const list = formats.trim().startsWith('[')
      ? parseJson('formats', formats, errors)
      : formats
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean);
    if (list !== undefined) options.formats = list as never;
  }

  const labels: Record<string, string> = {};
  const labelsJson = one('labels');
  if (labelsJson !== undefined) {
    const parsed = parseJson('labels', labelsJson, errors);
    if (parsed !== undefined) {
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        errors.push({ path: 'labels', message: 'must be a JSON object of strings' });
      } else {
        for (const [k, v] of Object.entries(parsed)) {
          if (typeof v === 'string') labels[k] = v;
          else errors.push({ path: `labels.${k}`, message: 'must be a string' });
        }
      }
    }
  }
  for (const pair of fields.label ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      errors.push({ path: 'label', message: `expected key=value, got ${JSON.stringify(pair)}` });
    else labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (Object.keys(labels).length > 0) options.labels = labels;

  const priority = one('priority');
  if (priority !== undefined) {
    if (!/^-?\d+$/.test(priority.trim()))
      errors.push({ path: 'priority', message: 'must be an integer' });
    else options.priority = Number(priority);
  }

  if (errors.length > 0) throw invalidOptions(errors);
  return options;
}

/**
 * The full spec for an upload: the shared zod schema (the same rules as the CRD) plus the rules
 * the CRD enforces with CEL, and label rules for labels that also go onto the Transcode.
 */
export function buildTranscodeSpec(
  options: UploadOptions,
  source: { bucket: string; key: string },
): TranscodeSpec {
  // The API stored the source itself: it goes with the video unless the caller says otherwise.
  const validation = validateTranscodeSpec({ sourceDeletionPolicy: 'Delete', ...options, source });
  const errors: FieldError[] = validation.ok ? [] : [...validation.errors];
  const renditions = options.ladder?.renditions;
  if (Array.isArray(renditions)) {
    const seen = new Set<string>();
    renditions.forEach((r: { name?: unknown }, i) => {
      if (typeof r?.name !== 'string') return;
      if (seen.has(r.name))
        errors.push({
          path: `ladder.renditions.${i}.name`,
          message: 'rendition names must be unique',
        });
      seen.add(r.name);
    });
    renditions.forEach((r: { height?: unknown; videoBitrateKbps?: unknown }, i) => {
      if (
        r &&
        typeof r === 'object' &&
        (r.height === undefined) !== (r.videoBitrateKbps === undefined)
      ) {
        errors.push({
          path: `ladder.renditions.${i}`,
          message: 'height and videoBitrateKbps go together; omit both for an audio-only rendition',
        });
      }
    });
  }
  if (options.labels) errors.push(...labelErrors(options.labels));
  if (errors.length > 0 || !validation.ok) throw invalidOptions(errors);
  return validation.spec;
}

export function invalidOptions(fields: FieldError[]): ApiError {
  const summary = fields.map((f) => `${f.path}: ${f.message}`).join('; ');
  return new ApiError(400, 'InvalidOptions', `invalid upload options: ${summary}`, fields);
}
