// Talking to parkland: the signed-in token (kept in sessionStorage, so it ends with the tab),
// JSON requests whose errors carry the server's problem detail, and whole collections read
// page by page along their `next` links.

import { language, t } from './i18n.js';

const TOKEN_KEY = 'parkland.token';

/** The service's root: the page is served at `<root>/dashboard/`, perhaps behind a proxy. */
const ROOT = new URL('../', location.href);

/** An API path (`/api/me`) resolved against the service's root; absolute URLs stay. */
export function resolve(path) {
  return new URL(path.replace(/^\//, ''), ROOT).href;
}

/**
 * A refused request. Its message leads with what the status means in the page's language,
 * then the server's problem detail (asked for in the page's language: `Accept-Language`; a
 * refusal not yet written in Chinese comes in English with the Chinese terms of the rules)
 * and each invalid field, so a person reads first what happened and what to do.
 */
export class ApiError extends Error {
  constructor(status, problem) {
    const lead = t(`http${status}`);
    const fields = (problem?.errors ?? []).map((e) => `${e.field}: ${e.message}`);
    const detail = [problem?.detail, ...fields].filter(Boolean).join('; ');
    const head = lead === `http${status}` ? `HTTP ${status}` : lead;
    const zh = language() === 'zh';
    super(detail ? (zh ? `${head}（${detail}）` : `${head} (${detail})`) : head);
    this.status = status;
    this.problem = problem;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function headers(extra = {}) {
  // The server writes its refusals in the language asked for (the page's, not the browser's).
  const h = { Accept: 'application/json', 'Accept-Language': language() === 'zh' ? 'zh-CN' : 'en', ...extra };
  const tok = token();
  if (tok) h.Authorization = `Bearer ${tok}`;
  return h;
}

async function failure(res) {
  let problem = null;
  try {
    problem = await res.json();
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, problem);
}

export async function getJson(url) {
  const res = await fetch(resolve(url), { headers: headers() });
  if (!res.ok) throw await failure(res);
  return res.json();
}

export async function postJson(url, body) {
  const res = await fetch(resolve(url), {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json' }),
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return res.status === 204 ? null : res.json();
}

/** A record with its version: the body and the `ETag` a change must send back as `If-Match`. */
export async function getVersioned(url) {
  const res = await fetch(resolve(url), { headers: headers() });
  if (!res.ok) throw await failure(res);
  return { body: await res.json(), etag: res.headers.get('ETag') };
}

/** A JSON merge patch of the version read (`If-Match`); a 412 means someone changed it first. */
export async function patchJson(url, body, etag) {
  const res = await fetch(resolve(url), {
    method: 'PATCH',
    headers: headers({ 'Content-Type': 'application/merge-patch+json', 'If-Match': etag }),
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return { body: await res.json(), etag: res.headers.get('ETag') };
}

/** Every feature of a collection's items query, following `next` links. */
export async function allFeatures(url) {
  const features = [];
  let next = url;
  while (next) {
    const page = await getJson(next);
    features.push(...page.features);
    next = page.links?.find((l) => l.rel === 'next')?.href ?? null;
  }
  return { type: 'FeatureCollection', features };
}

/** Download a file that needs the token (a plain link cannot carry it). */
export async function download(url, filename) {
  const res = await fetch(resolve(url), { headers: headers({ Accept: '*/*' }) });
  if (!res.ok) throw await failure(res);
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export async function signIn(name, password) {
  const session = await postJson('/api/sessions', { name, password });
  sessionStorage.setItem(TOKEN_KEY, session.token);
  return session;
}

export async function signOut() {
  try {
    if (token()) await postJson('/api/sessions/end', {});
  } finally {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

/** Who the token belongs to, or null (a stale token is dropped). */
export async function me() {
  if (!token()) return null;
  try {
    return await getJson('/api/me');
  } catch (e) {
    if (e.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      return null;
    }
    throw e;
  }
}
