import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AcceptedDto, ErrorDto, VideoDto, VideoListDto } from './video.dto';
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, VideosService } from './videos.service';

@ApiTags('videos')
@ApiBearerAuth()
@Controller('v1/videos')
@UseGuards(ApiKeyGuard)
@ApiResponse({ status: 401, type: ErrorDto, description: 'MissingApiKey, MalformedAuthorization' })
@ApiResponse({ status: 403, type: ErrorDto, description: 'InvalidApiKey' })
@ApiResponse({
  status: 503,
  type: ErrorDto,
  description: 'KubernetesUnavailable, StorageUnavailable',
})
export class VideosController {
  constructor(@Inject(VideosService) private readonly videos: VideosService) {}

  @Get()
  @ApiOperation({ summary: 'List videos (Transcodes in the namespace), a page at a time' })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: `1..${LIST_LIMIT_MAX}, default ${LIST_LIMIT_DEFAULT}`,
  })
  @ApiQuery({
    name: 'continue',
    required: false,
    description: 'the continue token of the previous page',
  })
  @ApiQuery({
    name: 'label',
    required: false,
    isArray: true,
    description: 'key=value; repeat to AND',
  })
  @ApiResponse({ status: 200, type: VideoListDto })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'InvalidQuery, InvalidLabelSelector' })
  @ApiResponse({ status: 410, type: ErrorDto, description: 'ContinueTokenExpired' })
  list(@Query() query: { limit?: string; continue?: string; label?: string | string[] }) {
    return this.videos.list(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Phase, progress, reason, renditions and (when ready) playback URLs of a video',
  })
  @ApiResponse({ status: 200, type: VideoDto })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'VideoNotFound' })
  get(@Param('id') id: string) {
    return this.videos.get(id);
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Delete a video: its Transcode goes, the controller then cleans storage',
  })
  @ApiResponse({ status: 202, type: AcceptedDto })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'VideoNotFound' })
  remove(@Param('id') id: string) {
    return this.videos.delete(id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Retry a Failed transcode (bumps the media.kubevod.io/retry annotation)',
  })
  @ApiResponse({ status: 202, type: AcceptedDto })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'VideoNotFound' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'NotFailed, VideoDeleting, Conflict' })
  retry(@Param('id') id: string) {
    return this.videos.retry(id);
  }
}
