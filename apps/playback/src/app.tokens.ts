/** Injection tokens of the playback app. */
export const PLAYBACK_CONFIG = Symbol('PLAYBACK_CONFIG');
export const PLAYBACK_LOGGER = Symbol('PLAYBACK_LOGGER');
