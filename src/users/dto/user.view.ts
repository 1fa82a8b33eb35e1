import { User } from '../entities/user.entity';

/** The user representation of API.md: never a password, hash or secret. */
export interface UserView {
  id: string;
  username: string;
  displayName: string | null;
  roles: string[];
  email: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: user.roles,
    email: user.email,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
