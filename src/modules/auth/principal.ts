/** Who is calling: the user behind a valid access token. Every read and write is scoped by it. */
export interface Principal {
  userId: number;
  /** the user's own group; the caller sees this group and every group below it */
  groupId: number;
  roleId: RoleId;
  clientId: string;
}

export const Roles = { ADMIN: 1, STANDARD: 2, READ_ONLY: 3 } as const;
export type RoleId = (typeof Roles)[keyof typeof Roles];

export const roleNames: Record<RoleId, string> = { 1: 'Admin', 2: 'Standard', 3: 'ReadOnly' };

export const isRoleId = (value: number): value is RoleId => value === 1 || value === 2 || value === 3;
