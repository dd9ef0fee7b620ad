import { readFileSync } from 'node:fs';
import type { ApiConfig } from '../config';
import { parseApiKeys } from './api-keys';

/** The configured API keys: API_KEYS from the environment plus the mounted API_KEYS_FILE. Read once at start-up. */
export function loadApiKeys(config: Pick<ApiConfig, 'API_KEYS' | 'API_KEYS_FILE'>): string[] {
  const keys = parseApiKeys(config.API_KEYS ?? '');
  if (config.API_KEYS_FILE) keys.push(...parseApiKeys(readFileSync(config.API_KEYS_FILE, 'utf8')));
  return [...new Set(keys)];
}
