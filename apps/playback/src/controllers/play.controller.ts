import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MANIFEST_TYPES, PlayService } from '../services/play.service';

/** Manifest selection: one URL per video for every client. */
@Controller('v1/play')
export class PlayController {
  constructor(private readonly playService: PlayService) {}

  @Get(':id')
  async play(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const answer = await this.playService.play({
      id,
      userAgent: req.headers['user-agent'],
      accept: req.headers.accept,
      query,
    });
    // the answer depends on who asks: shared caches must key on it
    reply.header('vary', 'User-Agent, Accept');
    if (answer.kind === 'redirect') {
      await reply
        .code(302)
        .header('location', answer.location)
        .header('cache-control', 'private, max-age=10')
        .send();
      return;
    }
    reply
      .header('content-type', MANIFEST_TYPES[answer.format])
      .header('cache-control', 'public, max-age=10')
      .header('etag', answer.etag);
    if (req.headers['if-none-match'] === answer.etag) {
      await reply.code(304).send();
      return;
    }
    await reply.code(200).send(answer.body);
  }
}
