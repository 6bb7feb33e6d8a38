// The app: a list of items with a form to add one and a button to delete each, and a page per
// item at /items/<id>. The item pages are client-side routes: reloading one asks CloudFront for
// a path that is not in the bucket, and the SPA fallback answers with index.html, which routes.
// Adding an item is the sample's conversion for A/B experiments (`sprout experiment`).
import { ApiError, type Item, ItemsClient } from './api.js';
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
      // The page's conversion: credit it to the A/B experiment variants the viewer is in (nothing
      // is sent outside an experiment). A failure here is not the user's problem.
      client.recordConversion().catch((error: unknown) => console.warn('Could not record the conversion', error));
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

  app.replaceChildren(el('h1', {}, 'Items'), form, list, more);
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

async function start(): Promise<void> {
  try {
    const config = await loadRuntimeConfig(new URL('config.json', document.baseURI));
    client = new ItemsClient({ baseUrl: config.apiUrl });
  } catch (error) {
    showError(error);
    return;
  }
  window.addEventListener('popstate', () => void render());
  await render();
}

void start();
