import { SetMetadata } from '@nestjs/common';

/** DESIGN "Roles". */
export type Role = 'admin' | 'ops' | 'operator' | 'leader' | 'district';
export const ROLES_KEY = 'zhuyun:roles';

/**
 * Which roles may call a route (admin always may). Every domain route states it; the security
 * work (issue 7) enforces it with a guard, plus district/contract scoping inside the handlers.
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
