// Applications beside the map: an applicant's own (with withdrawal while they await a
// decision), and the committee's queue of those awaiting one (accept, or refuse with a reason).
// The server decides who sees what: GET /api/applications answers each role with its own list.

import { getJson, postJson } from './api.js';
import { t } from './i18n.js';
import { el, statusName } from './panel.js';

/** Fill `box` with the caller's applications; `name(a)` says what each one is for. */
export async function renderApplications(box, user, name) {
  const applicant = user.role === 'applicant';
  const all = await getJson('/api/applications');
  const list = applicant ? all : all.filter((a) => a.status === 'submitted');
  const refresh = () => renderApplications(box, user, name);
  const rows = list.map((a) => {
    const check = a.entry_check?.qualifies;
    const li = el(
      'li',
      { class: `application ${a.status}` },
      el('strong', {}, a.project_name),
      el('span', {}, ` · ${name(a)}`),
      el('div', { class: 'meta' }, `${applicant ? '' : a.enterprise_name + ' · '}${statusName(a.status)} · ${t('checkShort', { v: check ? t('qualifies') : t('doesNotQualify') })}`),
    );
    li.dataset.application = a.id;
    if (a.decision_reason) li.append(el('div', { class: 'meta' }, a.decision_reason));
    if (a.status === 'submitted') li.append(applicant ? withdrawForm(a, refresh) : decisionForm(a, refresh));
    return li;
  });
  box.replaceChildren(
    el('h2', {}, applicant ? t('myApplications') : t('queue')),
    rows.length ? el('ul', { class: 'applications' }, ...rows) : el('p', { class: 'hint' }, t('noApplications')),
  );
}

function withdrawForm(a, done) {
  const reason = el('input', { name: 'reason', placeholder: t('withdrawReason'), required: '' });
  const form = el('form', { class: 'inline' }, reason, el('button', { type: 'submit' }, t('withdraw')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await act(form, () => postJson(`/api/applications/${a.id}/withdraw`, { reason: reason.value.trim() }), done);
  });
  return form;
}

function decisionForm(a, done) {
  const reason = el('input', { name: 'reason', placeholder: t('decisionReason') });
  const yes = el('button', { type: 'button', class: 'accept' }, t('accept'));
  const no = el('button', { type: 'button', class: 'refuse' }, t('refuse'));
  const form = el('form', { class: 'inline' }, reason, yes, no);
  const decide = (accept) => {
    if (!accept && !reason.value.trim()) {
      reason.setCustomValidity(t('reasonRequired'));
      reason.reportValidity();
      return;
    }
    reason.setCustomValidity('');
    act(form, () => postJson(`/api/applications/${a.id}/decision`, { accept, reason: reason.value.trim() || null }), done);
  };
  yes.addEventListener('click', () => decide(true));
  no.addEventListener('click', () => decide(false));
  return form;
}

/** Send, then redraw the list; a refusal from the server (a 409: decided meanwhile) is shown. */
async function act(form, send, done) {
  for (const b of form.querySelectorAll('button')) b.disabled = true;
  try {
    await send();
    await done();
  } catch (err) {
    form.append(el('p', { class: 'error' }, err.message));
    for (const b of form.querySelectorAll('button')) b.disabled = false;
  }
}
