/** Injection tokens for things that are not classes. */
export const API_CONFIG = Symbol('API_CONFIG');
export const OBJECT_STORE = Symbol('OBJECT_STORE');
export const LOGGER = Symbol('LOGGER');
export const API_KEY_VERIFIER = Symbol('API_KEY_VERIFIER');
