// The app: a list of items with a form to add one and a button to delete each, and a page per
// item at /items/<id>, for signed-in users. /signin is the sign-in route: it sends the browser to
// the Cognito hosted UI (authorization code + PKCE, see auth.ts), takes the code back, keeps the
// tokens in sessionStorage and sets the `id_token` cookie that the viewer-request Lambda@Edge
// function checks on every other path of the site. API calls carry the ID token.
import { ApiError, type Item, ItemsClient } from './api.js';
import { type AuthConfig, logoutUrl, Session, tokenCookie } from './auth.js';
import { loadRuntimeConfig } from './config.js';
import './styles.css';

const PAGE_SIZE = 10;

const app = document.querySelector<HTMLElement>('#app')!;
const status = document.querySelector<HTMLElement>('#status')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function showError(error: unknown): void {
  status.className = 'error';
  status.textContent = error instanceof ApiError ? `${error.code}: ${error.message}` : String((error as Error)?.message ?? error);
}

function clearStatus(): void {
  status.className = '';
  status.textContent = '';
}

/** Paths are relative to <base href>, so the app also works under a prefix such as /ui/. */
const base = new URL(document.baseURI).pathname;
const route = (): string => `/${location.pathname.slice(base.length)}`;
function navigate(path: string): void {
  history.pushState(null, '', new URL(path.replace(/^\//, ''), document.baseURI));
  void render();
}

function link(path: string, text: string): HTMLAnchorElement {
  const anchor = el('a', { href: new URL(path.replace(/^\//, ''), document.baseURI).pathname }, text);
  anchor.addEventListener('click', (event) => {
    event.preventDefault();
    navigate(path);
  });
  return anchor;
}

let client: ItemsClient;
let session: Session;
let authConfig: AuthConfig;
let cookieName = 'id_token';

async function renderList(): Promise<void> {
  const list = el('ul', { className: 'items' });
  const more = el('button', { type: 'button', className: 'secondary', hidden: true }, 'Load more');
  let cursor: string | undefined;

  const row = (item: Item) => {
    const remove = el('button', { type: 'button', className: 'danger' }, 'Delete');
    const li = el('li', {}, link(`/items/${item.id}`, item.name), el('span', { className: 'muted' }, item.description ?? ''), remove);
    remove.addEventListener('click', async () => {
      remove.disabled = true;
      try {
        await client.delete(item.id);
        li.remove();
        clearStatus();
      } catch (error) {
        remove.disabled = false;
        showError(error);
      }
    });
    return li;
  };

  const loadPage = async () => {
    more.disabled = true;
    try {
      const page = await client.list({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      list.append(...page.items.map(row));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      if (!list.children.length) list.append(el('li', { className: 'muted empty' }, 'No items yet.'));
    } catch (error) {
      showError(error);
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', loadPage);

  const name = el('input', { name: 'name', required: true, maxLength: 200, placeholder: 'Name' });
  const description = el('input', { name: 'description', maxLength: 2000, placeholder: 'Description (optional)' });
  const submit = el('button', { type: 'submit' }, 'Add');
  const form = el('form', { className: 'create' }, name, description, submit);
  // One key per item being typed: a double submit or a retry creates it once.
  let idempotencyKey = crypto.randomUUID();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const item = await client.create({ name: name.value, ...(description.value ? { description: description.value } : {}) }, idempotencyKey);
      idempotencyKey = crypto.randomUUID();
      list.querySelector('.empty')?.remove();
      list.prepend(row(item));
      form.reset();
      clearStatus();
    } catch (error) {
      showError(error);
    } finally {
      submit.disabled = false;
    }
  });

  const signOut = el('button', { type: 'button', className: 'secondary' }, 'Sign out');
  signOut.addEventListener('click', () => {
    session.clear();
    document.cookie = tokenCookie(cookieName, undefined);
    location.assign(logoutUrl(authConfig));
  });
  app.replaceChildren(el('h1', {}, 'Items'), signOut, form, list, more);
  await loadPage();
}

async function renderItem(id: string): Promise<void> {
  app.replaceChildren(el('p', {}, link('/', '← All items')), el('p', { className: 'muted' }, 'Loading…'));
  try {
    const item = await client.get(id);
    const dl = el('dl', {});
    for (const [term, value] of [
      ['Description', item.description ?? '—'],
      ['Created', new Date(item.createdAt).toLocaleString()],
      ['Updated', new Date(item.updatedAt).toLocaleString()],
      ['Version', String(item.version)],
    ] as const) {
      dl.append(el('dt', {}, term), el('dd', {}, value));
    }
    app.replaceChildren(el('p', {}, link('/', '← All items')), el('h1', {}, item.name), dl);
  } catch (error) {
    app.replaceChildren(el('p', {}, link('/', '← All items')), el('h1', {}, 'Item not found'));
    showError(error);
  }
}

async function render(): Promise<void> {
  clearStatus();
  const match = /^\/items\/([^/]+)$/.exec(route());
  if (match) await renderItem(decodeURIComponent(match[1]!));
  else await renderList();
}

/** The sign-in route: back from the hosted UI with ?code=&state=, or on the way to it. */
async function signIn(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  const state = query.get('state');
  if (query.get('error')) throw new Error(`sign-in failed: ${query.get('error_description') ?? query.get('error')}`);
  if (code && state) {
    const { tokens, next } = await session.complete(code, state);
    document.cookie = tokenCookie(cookieName, tokens);
    location.replace(new URL(next.replace(/^\//, ''), document.baseURI));
    return;
  }
  app.replaceChildren(el('p', { className: 'muted' }, 'Signing in…'));
  location.assign(await session.begin(query.get('next') ?? '/'));
}

async function start(): Promise<void> {
  try {
    const config = await loadRuntimeConfig(new URL('config.json', document.baseURI));
    const { signInUrl, clientId, signInPath = '/signin', tokenCookie: cookie } = config;
    if (!signInUrl || !clientId) throw new Error('config.json has no signInUrl or clientId');
    if (cookie) cookieName = cookie;
    authConfig = { signInUrl, clientId, redirectUri: new URL(signInPath, location.origin).toString() };
    session = new Session(authConfig, sessionStorage);
    if (route() === signInPath) {
      await signIn();
      return;
    }
    const token = await session.idToken();
    if (!token) {
      // Signed out (or the session ended): start over, then come back here.
      location.assign(new URL(`${signInPath.replace(/^\//, '')}?next=${encodeURIComponent(route() + location.search)}`, document.baseURI));
      return;
    }
    // Keep the edge cookie in step with a refreshed token.
    document.cookie = tokenCookie(cookieName, session.tokens());
    // The Cognito authorizer takes the bare ID token in Authorization.
    client = new ItemsClient({
      baseUrl: config.apiUrl,
      authScheme: '',
      getToken: async () => {
        const current = await session.idToken();
        if (current) document.cookie = tokenCookie(cookieName, session.tokens());
        return current;
      },
    });
  } catch (error) {
    showError(error);
    return;
  }
  window.addEventListener('popstate', () => void render());
  await render();
}

void start();
