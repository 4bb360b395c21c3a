import { Controller, Get, Header } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { Public } from '../security/principal.js';
import { buildOpenApi, controllersOf, routesOf } from './openapi.builder.js';
import { EXPLORER_HTML, EXPLORER_JS } from './explorer.assets.js';

/** The API's own description (DESIGN "REST API"): public, it describes routes and exposes no data. */
@Controller('api')
@Public()
export class OpenApiController {
  private doc?: Record<string, unknown>;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly reflector: Reflector,
  ) {}

  @Get('openapi.json')
  openapi() {
    // Built on first request: by then every module's controllers are registered.
    this.doc ??= buildOpenApi(
      routesOf(controllersOf(this.modules), this.reflector),
      '1',
    );
    return this.doc;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  docs() {
    return EXPLORER_HTML;
  }

  @Get('docs/explorer.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  explorerJs() {
    return EXPLORER_JS;
  }
}
