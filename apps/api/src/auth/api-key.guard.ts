import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyVerifier, Caller } from './api-keys';
import { API_KEY_VERIFIER } from '../tokens';

export type AuthedRequest = FastifyRequest & { caller?: Caller };

/** Bearer API keys on every /v1 route; the caller's key fingerprint is kept on the request. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(API_KEY_VERIFIER) private readonly verifier: ApiKeyVerifier) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    request.caller = this.verifier.verify(request.headers.authorization);
    return true;
  }
}
