/** What the generated-client test hands the client: a user's credentials and where it belongs. */
export interface ClientLogin {
  username: string;
  password: string;
  client_id: string;
  client_secret: string;
  groupId: number;
  userId: number;
}
