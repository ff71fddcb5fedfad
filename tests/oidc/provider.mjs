// A real OpenID provider (panva/oidc-provider) on 127.0.0.1 for the single sign-on tests: discovery,
// signed ID tokens, PKCE, the authorization-code flow. Started by tests/web/oidc.py with
//   node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
// Its sign-in page is the library's development interaction (any account name; the password is the
// province's business, not ours); the account's preferred_username claim is the account name.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub, preferred_username: sub, name: sub }; } };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['pinggu-test-only-cookie-key'] },
});
provider.proxy = false;
const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
