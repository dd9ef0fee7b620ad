import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { TUS_PATH } from '../uploads/tus-uploads.service';

/** The tus endpoints are plain fastify routes (tus owns the protocol), so they are described here by hand. */
function addTusPaths(doc: OpenAPIObject): void {
  const tag = ['uploads (tus)'];
  const security = [{ bearer: [] }];
  const auth = {
    '401': { description: 'MissingApiKey, MalformedAuthorization' },
    '403': { description: 'InvalidApiKey' },
  };
  doc.paths[TUS_PATH] = {
    post: {
      tags: tag,
      security,
      summary: 'Create a resumable upload (tus 1.0: creation, creation-with-upload, expiration)',
      description:
        'Upload-Metadata may carry filename and the options of POST /v1/videos (profile, renditions, formats, labels, priority). ' +
        'The Location is /v1/uploads/<video id>. When the last byte arrives the Transcode is created and the response carries ' +
        'the video as JSON plus the headers Video-Id and Video-Status-Url.',
      responses: {
        '201': { description: 'created' },
        '400': { description: 'InvalidOptions (fields in the JSON body)' },
        '413': { description: 'PayloadTooLarge' },
        ...auth,
      },
    },
  };
  doc.paths[`${TUS_PATH}/{id}`] = {
    head: {
      tags: tag,
      security,
      summary: 'Offset of an upload (to resume it)',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'Upload-Offset header' },
        '404': { description: 'UploadNotFound' },
        ...auth,
      },
    },
    patch: {
      tags: tag,
      security,
      summary: 'Send bytes at Upload-Offset (application/offset+octet-stream)',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '204': { description: 'stored; more to come' },
        '200': { description: 'the last byte: the Transcode was created (JSON body)' },
        '409': { description: 'UploadOffsetMismatch' },
        '415': {
          description: 'UnsupportedMediaType: the finished file is not audio/video; removed',
        },
        '503': { description: 'StorageUnavailable, KubernetesUnavailable' },
        ...auth,
      },
    },
    delete: {
      tags: tag,
      security,
      summary: 'Abandon an unfinished upload (tus termination)',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '204': { description: 'removed' }, ...auth },
    },
  };
}

export function buildOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('kubevod API')
    .setDescription(
      'Upload videos, follow their transcodes, delete and retry them. Every error answers ' +
        '{ statusCode, error, reason, message, fields? } with a CamelCase reason.',
    )
    .setVersion('v1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key' }, 'bearer')
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  addTusPaths(doc);
  return doc;
}

/** Swagger UI at /docs and the document at /docs/json. */
export function setupOpenApi(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApi(app), { jsonDocumentUrl: 'docs/json' });
}
