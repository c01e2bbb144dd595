// The merchant's board: pick a token and a store, see its open orders, newest first, kept
// current by the live subscription; accept orders and mark them ready.
import {
  ACCEPT_ORDER, MARK_ORDER_READY, OPEN_STATUSES, STORE_ORDERS, followStore, request,
} from './gateway.js';

/** Open orders per page: more than a busy kitchen has waiting at once; "Show more" pages on. */
const PAGE_SIZE = 50;
/** How long a new order stays highlighted, and a finished one stays on the board before it goes. */
const HIGHLIGHT_MS = 4_000;
const LEAVE_MS = 4_000;
/** At most this many errors are listed, newest first: enough to see what went wrong, not a log. */
const MAX_ERRORS = 6;

/** Later statuses never give way to earlier ones, however late an answer or event arrives. */
const STATUS_ORDER = ['PLACED', 'ACCEPTED', 'READY', 'PICKED_UP', 'DELIVERED', 'CANCELLED'];

const ACTIONS = {
  PLACED: { label: 'Accept', busy: 'Accepting…', query: ACCEPT_ORDER, operationName: 'AcceptOrder', field: 'acceptOrder' },
  ACCEPTED: { label: 'Mark ready', busy: 'Marking…', query: MARK_ORDER_READY, operationName: 'MarkOrderReady', field: 'markOrderReady' },
};

const $ = (selector) => document.querySelector(selector);
const form = $('#sign-in');
const devTokenSelect = $('#dev-token');
const tokenInput = $('#token');
const storeSelect = $('#store');
const connection = $('#connection');
const errorList = $('#errors');
const board = $('#board');
const boardTitle = $('#board-title');
const rows = $('#orders');
const moreButton = $('#more');

let gatewayUrl = '';
/** The board on screen; replaced whole when another token or store is opened. */
let current = null;

// ---- token and store -------------------------------------------------------------------

/** The JWT's claims, read without verifying (the gateway verifies); null when it is not a JWT. */
function claimsOf(token) {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** The stores the token's merchant may open, or the reason it cannot open any. */
function storesOf(token) {
  if (!token) return { storeIds: [], problem: null };
  const claims = claimsOf(token);
  if (!claims) return { storeIds: [], problem: 'This is not a JWT (three dot-separated parts).' };
  if (claims.role !== 'merchant' || !Array.isArray(claims.storeIds)) {
    return { storeIds: [], problem: `This token is for a ${claims.role ?? 'caller without a role'}; the board needs a merchant token with storeIds.` };
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) {
    return { storeIds: claims.storeIds, problem: `This token expired at ${new Date(claims.exp * 1000).toLocaleString()}.` };
  }
  return { storeIds: claims.storeIds, problem: null };
}

function fillStores(storeIds, selected) {
  storeSelect.replaceChildren(...storeIds.map((id) => new Option(id, id)));
  storeSelect.disabled = storeIds.length === 0;
  if (storeIds.includes(selected)) storeSelect.value = selected;
}

/** Reads the token box, lists its stores and opens the board of `store` (or the first). */
function openFromToken(store) {
  const token = tokenInput.value.trim();
  const { storeIds, problem } = storesOf(token);
  fillStores(storeIds, store);
  clearErrors();
  if (problem) showErrors([{ code: null, message: problem }]);
  if (token && storeSelect.value && !problem) openBoard(token, storeSelect.value);
}

// ---- the board ---------------------------------------------------------------------------

function openBoard(token, storeId) {
  current?.follow.stop();
  const session = { token, storeId, orders: new Map(), loaded: false, buffered: [], after: null, follow: null };
  current = session;
  rows.replaceChildren();
  boardTitle.textContent = `Store ${storeId}`;
  board.hidden = false;
  board.dataset.state = 'loading';
  moreButton.hidden = true;
  // Follow first, load second: an order placed while the board loads arrives as an event, applied once the board is there.
  session.follow = followStore({
    gatewayUrl,
    token,
    storeId,
    onEvent: (event) => (session.loaded ? applyOrder(session, event.order, event.type === 'PLACED') : session.buffered.push(event)),
    onErrors: (errors) => current === session && showErrors(errors),
    onState: (state, detail) => current === session && showConnection(state, detail),
  });
  loadPage(session);
}

async function loadPage(session) {
  moreButton.disabled = true;
  const variables = { storeId: session.storeId, status: OPEN_STATUSES, first: PAGE_SIZE, ...(session.after ? { after: session.after } : {}) };
  const { data, errors } = await request(gatewayUrl, session.token, STORE_ORDERS, 'StoreOrders', variables);
  if (current !== session) return;
  if (errors.length) showErrors(errors);
  const store = data?.store;
  if (store?.name) boardTitle.textContent = `${store.name} (${store.id})`;
  for (const { node } of store?.orders?.edges ?? []) applyOrder(session, node, false);
  const pageInfo = store?.orders?.pageInfo;
  session.after = pageInfo?.hasNextPage ? pageInfo.endCursor : null;
  moreButton.hidden = !session.after;
  moreButton.disabled = false;
  if (!session.loaded) {
    session.loaded = true;
    for (const event of session.buffered.splice(0)) applyOrder(session, event.order, event.type === 'PLACED');
    board.dataset.state = store ? 'loaded' : 'failed';
  }
  showEmpty(session);
}

/**
 * Puts what is known of an order on the board: a new open order gets a row in createdAt order
 * (highlighted when it was just placed), a known one its new state; an order that is no longer
 * open shows its last status for a moment, then leaves.
 */
function applyOrder(session, order, placed) {
  if (!order?.id) return;
  const known = session.orders.get(order.id);
  if (known && STATUS_ORDER.indexOf(order.status) < STATUS_ORDER.indexOf(known.status)) return;
  if (!known && !OPEN_STATUSES.includes(order.status)) return;
  const merged = { ...known, ...order };
  session.orders.set(order.id, merged);
  const row = renderRow(merged);
  const old = rows.querySelector(`tr[data-order-id="${CSS.escape(order.id)}"]`);
  if (old) old.replaceWith(row);
  else insertByTime(row, merged.createdAt);
  if (placed && !known) flash(row);
  if (!OPEN_STATUSES.includes(merged.status)) {
    row.classList.add('leaving');
    setTimeout(() => {
      if (session.orders.get(order.id)?.status !== merged.status) return;
      session.orders.delete(order.id);
      rows.querySelector(`tr[data-order-id="${CSS.escape(order.id)}"]`)?.remove();
      showEmpty(session);
    }, LEAVE_MS);
  }
  showEmpty(session);
}

function insertByTime(row, createdAt) {
  const later = [...rows.children].find((other) => (other.dataset.createdAt ?? '') < (createdAt ?? ''));
  rows.insertBefore(row, later ?? null);
}

function flash(row) {
  row.classList.add('fresh');
  setTimeout(() => row.classList.remove('fresh'), HIGHLIGHT_MS);
}

function showEmpty(session) {
  $('#empty').hidden = !session.loaded || session.orders.size > 0;
}

async function act(orderId) {
  const session = current;
  const order = session?.orders.get(orderId);
  const action = order && ACTIONS[order.status];
  if (!action) return;
  const button = rows.querySelector(`tr[data-order-id="${CSS.escape(orderId)}"] button`);
  button.disabled = true;
  button.textContent = action.busy;
  const { data, errors } = await request(gatewayUrl, session.token, action.query, action.operationName, { id: orderId });
  if (current !== session) return;
  if (errors.length) showErrors(errors.map((e) => ({ ...e, message: `${orderId}: ${e.message}` })));
  const changed = data?.[action.field];
  if (changed) applyOrder(session, changed, false);
  else if (button.isConnected) {
    button.disabled = false;
    button.textContent = action.label;
  }
}

// ---- rendering ---------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function renderRow(order) {
  const action = ACTIONS[order.status];
  const user = order.user;
  return el(
    'tr',
    { 'data-order-id': order.id, 'data-created-at': order.createdAt ?? '' },
    el('td', { class: 'id' }, order.id),
    el('td', {}, formatTime(order.createdAt)),
    el('td', {}, user ? el('div', {}, user.name ?? '—') : '—', user?.phoneMasked ? el('div', { class: 'phone' }, user.phoneMasked) : null),
    el('td', {}, el('ul', { class: 'items' }, ...(order.items ?? []).map((item) => el('li', {}, `${item.quantity} × ${item.menuItem?.name ?? '(item unavailable)'}`)))),
    el('td', { class: 'money' }, formatMoney(order.fees?.payable)),
    el('td', {}, order.delivery?.rider?.name ?? '—'),
    el('td', {}, el('span', { class: 'status', 'data-status': order.status }, order.status)),
    el('td', {}, action ? el('button', { type: 'button', 'data-action': order.status === 'PLACED' ? 'accept' : 'ready' }, action.label) : null),
  );
}

function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  const text = sameDay ? date.toLocaleTimeString() : date.toLocaleString();
  return el('time', { datetime: iso, title: iso }, text);
}

/** Amounts are minor units (fen for CNY): ¥12.34 for 1234. */
function formatMoney(money) {
  if (!money) return '—';
  return new Intl.NumberFormat('zh-CN', { style: 'currency', currency: money.currency }).format(money.amount / 100);
}

const CONNECTION_TEXT = {
  idle: 'not connected',
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting',
  stopped: 'not live (see the errors)',
};

function showConnection(state, detail) {
  connection.dataset.state = state;
  connection.textContent = state === 'reconnecting' ? `reconnecting in ${Math.ceil(detail.inMs / 1000)} s` : CONNECTION_TEXT[state];
}

function showErrors(errors) {
  const items = errors.map(({ code, message }) => el('li', code ? { 'data-error-code': code } : {}, code ? el('strong', {}, code) : null, ` ${message}`));
  errorList.prepend(...items);
  while (errorList.children.length > MAX_ERRORS) errorList.lastElementChild.remove();
  $('#error-panel').hidden = false;
}

function clearErrors() {
  errorList.replaceChildren();
  $('#error-panel').hidden = true;
}

// ---- wiring ------------------------------------------------------------------------------

/** `#token=<jwt>&store=s3` opens that board straight away (handy for bookmarks and tests). */
function openFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (!token) return;
  tokenInput.value = token;
  openFromToken(params.get('store'));
}

async function start() {
  const config = await fetch('config.json').then((response) => response.json());
  gatewayUrl = config.gatewayUrl;
  $('#gateway').textContent = gatewayUrl;
  devTokenSelect.append(...config.devTokens.map(({ label, token }) => new Option(label, token)));
  $('#dev-tokens').hidden = config.devTokens.length === 0;
  showConnection('idle');

  devTokenSelect.addEventListener('change', () => {
    if (!devTokenSelect.value) return;
    tokenInput.value = devTokenSelect.value;
    openFromToken(null);
  });
  tokenInput.addEventListener('input', () => fillStores(storesOf(tokenInput.value.trim()).storeIds, storeSelect.value));
  storeSelect.addEventListener('change', () => openFromToken(storeSelect.value));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    openFromToken(storeSelect.value);
  });
  rows.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (button) act(button.closest('tr').dataset.orderId);
  });
  moreButton.addEventListener('click', () => current && loadPage(current));
  $('#clear-errors').addEventListener('click', clearErrors);
  window.addEventListener('hashchange', openFromHash);
  openFromHash();
}

start().catch((error) => showErrors([{ code: null, message: `The dashboard could not start: ${error.message}` }]));
