import { forbidden } from '../../errors.js';
import { type Principal, Roles } from '../auth/principal.js';

/** Groups and users are managed by Admin users only. */
export function requireAdmin(principal: Principal): void {
  if (principal.roleId !== Roles.ADMIN) throw forbidden('Only Admin users can manage groups and users');
}
