/** Identity of the Transcode custom resource: used by the CRD generator, the controller and the API. */
export const TRANSCODE_GROUP = 'media.kubevod.io';
export const TRANSCODE_VERSION = 'v1alpha1';
export const TRANSCODE_API_VERSION = `${TRANSCODE_GROUP}/${TRANSCODE_VERSION}`;
export const TRANSCODE_KIND = 'Transcode';
export const TRANSCODE_PLURAL = 'transcodes';
export const TRANSCODE_SINGULAR = 'transcode';
export const TRANSCODE_SHORT_NAMES = ['tc'] as const;
export const TRANSCODE_CATEGORIES = ['kubevod'] as const;
export const TRANSCODE_CRD_NAME = `${TRANSCODE_PLURAL}.${TRANSCODE_GROUP}`;

/** Longest Transcode name: the Job name `<name>-<8 hex>-<attempt>` must stay within 63 characters. */
export const TRANSCODE_NAME_MAX = 48;

/** Bumped (a counter) by `POST /v1/videos/:id/retry`: the controller starts a new attempt of a Failed Transcode. */
export const RETRY_ANNOTATION = `${TRANSCODE_GROUP}/retry`;
/** The retry request the controller last acted on (written by the controller). */
export const RETRY_HANDLED_ANNOTATION = `${TRANSCODE_GROUP}/retry-handled`;
