import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PHASES } from '@kubevod/contracts';

/** OpenAPI shapes only: the handlers return plain objects of these shapes. */

export class FieldErrorDto {
  @ApiProperty({ example: 'ladder.renditions.0.height' }) path!: string;
  @ApiProperty({ example: 'Too small: expected number to be >=64' }) message!: string;
}

export class ErrorDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'InvalidOptions', description: 'CamelCase machine-readable reason' })
  reason!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) fields?: FieldErrorDto[];
}

export class UploadFormDto {
  @ApiPropertyOptional({ enum: ['default', 'mobile', 'audio'], description: 'a ladder profile' })
  profile?: string;
  @ApiPropertyOptional({
    description:
      'or an explicit ladder: a JSON array of {name, height, videoBitrateKbps, audioBitrateKbps}',
    example: '[{"name":"720p","height":720,"videoBitrateKbps":3000}]',
  })
  renditions?: string;
  @ApiPropertyOptional({ example: 'hls,dash', description: 'comma-separated or a JSON array' })
  formats?: string;
  @ApiPropertyOptional({
    example: '{"team":"blue"}',
    description: 'a JSON object; also label=k=v (repeatable)',
  })
  labels?: string;
  @ApiPropertyOptional({ example: '0', description: 'integer -100..100' }) priority?: string;
  @ApiProperty({ type: 'string', format: 'binary', description: 'the video; send it last' })
  file!: unknown;
}

export class CreatedVideoDto {
  @ApiProperty({ example: 'vk3j5x2m7q4ab' }) id!: string;
  @ApiProperty({ description: 'the Transcode name (= id)' }) name!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty({ example: '/v1/videos/vk3j5x2m7q4ab' }) statusUrl!: string;
  @ApiProperty({ enum: ['Pending'] }) phase!: string;
  @ApiProperty() bytes!: number;
  @ApiProperty({ example: 'mp4', description: 'the container sniffed from the first bytes' })
  container!: string;
}

export class ProgressDto {
  @ApiProperty() percent!: number;
  @ApiPropertyOptional() speed?: number;
}

export class PlaybackDto {
  @ApiProperty({ example: 'https://play.example.com/v1/play/vk3j5x2m7q4ab' }) url!: string;
  @ApiProperty({ example: 'https://play.example.com/watch/vk3j5x2m7q4ab' }) watchUrl!: string;
}

export class VideoDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['transcode', 'published'] }) origin!: string;
  @ApiProperty({ enum: PHASES }) phase!: string;
  @ApiPropertyOptional({ example: 'Encoding' }) reason?: string;
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional({ type: ProgressDto }) progress?: ProgressDto;
  @ApiPropertyOptional() attempt?: number;
  @ApiPropertyOptional() deleting?: boolean;
  @ApiProperty({ type: [String] }) formats!: string[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  labels!: Record<string, string>;
  @ApiPropertyOptional() filename?: string;
  @ApiPropertyOptional() createdAt?: string;
  @ApiPropertyOptional() publishedAt?: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } }) renditions?: unknown[];
  @ApiProperty() statusUrl!: string;
  @ApiPropertyOptional({ type: PlaybackDto }) playback?: PlaybackDto;
}

export class VideoListDto {
  @ApiProperty({ type: [VideoDto] }) items!: VideoDto[];
  @ApiPropertyOptional({ description: 'pass as ?continue= for the next page' }) continue?: string;
}

export class AcceptedDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'Deleting' }) status!: string;
  @ApiPropertyOptional() retry?: string;
}
