import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OriginService } from '../services/origin.service';

/** Origin mode: manifests and segments of published videos, with ranges and validators. */
@Controller('v1/videos')
export class OriginController {
  constructor(@Inject(OriginService) private readonly origin: OriginService) {}

  @Get(':id/*')
  async file(
    @Param('id') id: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const answer = await this.origin.serve({
      id,
      path: (req.params as Record<string, string>)['*'] ?? '',
      head: req.method === 'HEAD',
      range: req.headers.range,
      ifNoneMatch: req.headers['if-none-match'],
    });
    await reply.code(answer.status).headers(answer.headers).send(answer.body);
  }
}
