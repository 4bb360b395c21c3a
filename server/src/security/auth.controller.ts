import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Roles } from '../common/roles.js';
import { AccountsService } from './accounts.service.js';
import { CurrentUser, Public, SESSION_COOKIE, tokenFrom, type Principal } from './principal.js';
import { SelfAudited } from './audit.interceptor.js';

const EVERY_ROLE = ['ops', 'operator', 'leader', 'district'] as const;

export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** DESIGN "Sessions": login sets an httpOnly SameSite cookie and answers the token for API/socket use. */
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('login')
  @SelfAudited()
  @HttpCode(200)
  @Public()
  async login(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const session = await this.accounts.login(body, clientAddress(req));
    res.cookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      expires: new Date(session.expiresAt),
    });
    return session;
  }

  @Post('logout')
  @SelfAudited()
  @HttpCode(204)
  @Roles(...EVERY_ROLE)
  async logout(@CurrentUser() p: Principal, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.accounts.logout(tokenFrom(req.headers)!, p);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('me')
  @Roles(...EVERY_ROLE)
  me(@CurrentUser() p: Principal) {
    return p;
  }

  @Post('password')
  @SelfAudited()
  @HttpCode(204)
  @Roles(...EVERY_ROLE)
  async password(@CurrentUser() p: Principal, @Body() body: unknown, @Req() req: Request): Promise<void> {
    await this.accounts.changePassword(p, body, tokenFrom(req.headers)!);
  }
}
