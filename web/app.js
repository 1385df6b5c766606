// Pictor's page: a form that queues jobs (POST /jobs), follows each job live (GET /jobs/{id}/events,
// or GET /jobs/{id} every second where the server has no event stream), and a gallery that is
// the job history (GET /jobs), paged as the user scrolls. Every limit comes from GET /models.
// Every API call carries `Authorization: Bearer <key>` once a key was saved (localStorage).
'use strict';

(() => {
  const KEY_STORAGE = 'pictor.apiKey';
  const PAGE_SIZE = 24;
  const FINAL = new Set(['succeeded', 'failed', 'cancelled']);
  const $ = (id) => document.getElementById(id);

  const ui = {
    keyForm: $('key-form'), keyInput: $('api-key'), keyStatus: $('key-status'),
    forgetKey: $('forget-key'),
    form: $('generate-form'), prompt: $('prompt'), negative: $('negative-prompt'),
    count: $('prompt-count'), size: $('size'), seed: $('seed'), seedRandom: $('seed-random'),
    generate: $('generate'), progress: $('progress'), error: $('form-error'),
    modelInfo: $('model-info'),
    gallery: $('gallery'), galleryStatus: $('gallery-status'), galleryEnd: $('gallery-end'),
    dialog: $('detail'), dImage: $('detail-image'), dMessage: $('d-message'),
    dDownload: $('d-download'), dCopySeed: $('d-copy-seed'), dAgain: $('d-again'),
    dVariations: $('d-variations'), dCancel: $('d-cancel'), dClose: $('d-close'),
  };

  const state = {
    model: null,            // GET /models
    jobs: new Map(),        // id -> job as GET /jobs/{id} answers it
    cards: new Map(),       // id -> <li>
    images: new Map(),      // id -> Promise of an image URL (blob: when a key is set)
    cursor: undefined,      // next_cursor of the last page; null: no more pages
    loadingPage: false,
    detailId: null,
    detailOpener: null,     // the id of the job whose card opened the dialog
    submission: null,       // {body, key, until}: reuses the Idempotency-Key of a double submit
  };

  // ---- The API ----

  function apiKey() {
    try { return localStorage.getItem(KEY_STORAGE) || ''; } catch { return ''; }
  }

  class ApiError extends Error {
    constructor(status, message, reason) {
      super(message);
      this.status = status;
      this.reason = reason;
    }
  }

  function headers(extra) {
    const h = new Headers(extra || {});
    const key = apiKey();
    if (key) h.set('Authorization', 'Bearer ' + key);
    return h;
  }

  async function api(method, path, { body, extraHeaders, signal } = {}) {
    const init = { method, headers: headers(extraHeaders), signal, cache: 'no-store' };
    if (body !== undefined) {
      init.headers.set('Content-Type', 'application/json');
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, 'The server could not be reached: ' + e.message, 'network');
    }
    let data = null;
    const text = await response.text();
    if (text) {
      try { data = JSON.parse(text); } catch { data = null; }
    }
    if (!response.ok) {
      const message = (data && (data.message || (data.error && data.error.message))) ||
                      `${method} ${path} answered ${response.status}`;
      throw new ApiError(response.status, message, data && typeof data.error === 'string' ? data.error : '');
    }
    return data;
  }

  function explain(error) {
    if (error.status === 401) {
      return error.message + ' — paste an API key in the key field above and save it.';
    }
    return error.message;
  }

  // ---- Key ----

  function showKeyState() {
    ui.keyInput.value = '';
    ui.keyStatus.textContent = apiKey() ? 'A key is saved in this browser.' : 'No key saved.';
  }

  ui.keyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = ui.keyInput.value.trim();
    if (!key) { ui.keyStatus.textContent = 'Paste a key first.'; return; }
    try { localStorage.setItem(KEY_STORAGE, key); } catch { /* private mode: kept for none */ }
    showKeyState();
    start();
  });
  ui.forgetKey.addEventListener('click', () => {
    try { localStorage.removeItem(KEY_STORAGE); } catch { /* nothing saved */ }
    showKeyState();
  });

  // ---- The form ----

  const codePoints = (text) => [...text].length;

  function promptLimit() { return state.model ? state.model.prompt.max_chars : null; }

  function updateCount() {
    const n = codePoints(ui.prompt.value.trim());
    const max = promptLimit();
    ui.count.textContent = max === null ? `${n} characters` : `${n} / ${max} characters`;
    ui.count.classList.toggle('over', max !== null && n > max);
  }

  function showError(message) {
    ui.error.textContent = message;
    ui.error.hidden = !message;
  }

  function sizeText(s) { return `${s.width} × ${s.height}`; }

  function applyModel(model) {
    state.model = model;
    const current = ui.size.value;
    ui.size.replaceChildren();
    for (const s of model.sizes) {
      const option = document.createElement('option');
      option.value = `${s.width}x${s.height}`;
      option.textContent = sizeText(s) + (s.price_usd > 0 ? ` ($${s.price_usd})` : '');
      ui.size.append(option);
    }
    const wanted = current || `${model.default_size.width}x${model.default_size.height}`;
    if ([...ui.size.options].some((o) => o.value === wanted)) ui.size.value = wanted;
    ui.seed.max = String(model.seed.max);
    ui.seed.min = String(model.seed.min);
    const price = model.price_usd > 0 ? `, $${model.price_usd} an image` : '';
    ui.modelInfo.textContent = `Model ${model.id}${price}.`;
    updateCount();
  }

  ui.prompt.addEventListener('input', updateCount);
  ui.seedRandom.addEventListener('change', () => {
    ui.seed.disabled = ui.seedRandom.checked;
    if (!ui.seedRandom.checked && ui.seed.value === '') {
      ui.seed.value = String(Math.floor(Math.random() * 1000000));
    }
  });

  // The request the form describes, or an error message when it breaks a limit of GET /models.
  function formRequest() {
    const prompt = ui.prompt.value.trim();
    if (!state.model) return { error: 'The model’s limits are not loaded yet; check the key and try again.' };
    const max = promptLimit();
    if (!prompt) return { error: 'Write a prompt first.' };
    if (codePoints(prompt) > max) {
      return { error: `The prompt is ${codePoints(prompt)} characters long; this model takes at most ${max}.` };
    }
    const negative = ui.negative.value.trim();
    if (codePoints(negative) > state.model.negative_prompt.max_chars) {
      return { error: `The negative prompt is longer than ${state.model.negative_prompt.max_chars} characters.` };
    }
    const body = { prompt };
    if (negative) body.negative_prompt = negative;
    const [width, height] = (ui.size.value || '').split('x').map(Number);
    if (width && height) { body.width = width; body.height = height; }
    if (!ui.seedRandom.checked) {
      const text = ui.seed.value.trim();
      const seed = Number(text);
      const { min, max: seedMax } = state.model.seed;
      if (!/^\d+$/.test(text) || seed < min || seed > seedMax) {
        return { error: `The seed must be a whole number from ${min} to ${seedMax}.` };
      }
      body.seed = seed;
    }
    return { body };
  }

  // One Idempotency-Key per submission: the same body sent again while the first is on its way
  // (or within two seconds of it) reuses the key, so a double click makes one job.
  function idempotencyKey(body) {
    const text = JSON.stringify(body);
    const now = Date.now();
    if (state.submission && state.submission.body === text && now < state.submission.until) {
      return state.submission.key;
    }
    const key = crypto.randomUUID();
    state.submission = { body: text, key, until: now + 2000 };
    return key;
  }

  async function submitJob(body) {
    const key = idempotencyKey(body);
    const created = await api('POST', '/jobs', { body, extraHeaders: { 'Idempotency-Key': key } });
    state.submission.until = Date.now() + 2000;
    const job = {
      id: created.id, status: created.status, prompt: body.prompt,
      negative_prompt: body.negative_prompt || '', seed: body.seed,
      width: body.width, height: body.height, model: state.model && state.model.name,
      created_at: new Date().toISOString(),
    };
    if (!state.jobs.has(job.id)) upsertJob(job, { top: true });
    follow(job.id);
    return job.id;
  }

  let submitting = false;
  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submitting) return;
    const request = formRequest();
    if (request.error) {
      showError(request.error);
      ui.prompt.focus();
      return;
    }
    showError('');
    submitting = true;
    ui.generate.disabled = true;
    ui.progress.textContent = 'Sending…';
    try {
      await submitJob(request.body);
      ui.progress.textContent = 'Queued.';
    } catch (e) {
      ui.progress.textContent = '';
      showError(explain(e));
    } finally {
      submitting = false;
      ui.generate.disabled = false;
    }
  });

  // ---- Following a job ----

  const following = new Set();

  async function follow(id) {
    if (following.has(id)) return;
    following.add(id);
    try {
      const streamed = await followEvents(id);
      if (!streamed) await poll(id);
    } catch (e) {
      setProgress(id, 'Lost track of the job: ' + explain(e));
    } finally {
      following.delete(id);
    }
  }

  // Reads GET /jobs/{id}/events with fetch (EventSource cannot send the Authorization header).
  // True when the stream carried the job to a final state; false when the server has no stream
  // or it broke off, and the caller polls instead.
  let noEventStream = false;  // the server answered 404 or 405: poll from then on
  const STREAM_QUIET_MS = 5000;

  async function followEvents(id) {
    if (noEventStream) return false;
    let response;
    try {
      response = await fetch(`/jobs/${encodeURIComponent(id)}/events`, {
        headers: headers({ Accept: 'text/event-stream' }), cache: 'no-store',
      });
    } catch {
      return false;
    }
    const type = response.headers.get('Content-Type') || '';
    if (response.status === 404 || response.status === 405) {
      // 404 for a job the server knows (it was just created) means no such route.
      if (response.status === 405 || !(await response.text()).includes('job_not_found')) {
        noEventStream = true;
      }
      return false;
    }
    if (!response.ok || !response.body || !type.startsWith('text/event-stream')) {
      try { await response.body?.cancel(); } catch { /* nothing to release */ }
      return false;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let finished = false;
    try {
      for (;;) {
        // A stream quiet for STREAM_QUIET_MS gives way to polling: the page never waits on a
        // stream that has stopped carrying news.
        let timer;
        const quiet = new Promise((resolve) => {
          timer = setTimeout(() => resolve({ quiet: true }), STREAM_QUIET_MS);
        });
        const next = await Promise.race([reader.read(), quiet]);
        clearTimeout(timer);
        if (next.quiet) {
          reader.cancel().catch(() => {});
          return finished;
        }
        const { value, done } = next;
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parseEvent(block);
          if (!event) continue;
          // The server ends the stream after a final state: read on to its end rather than
          // cancel it, so that the connection is left whole for the next request.
          if (await applyEvent(id, event)) finished = true;
        }
      }
    } catch {
      return finished;
    }
    return finished || FINAL.has(state.jobs.get(id)?.status);
  }

  function parseEvent(block) {
    let name = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
    if (name === 'message' && data.length === 0) return null;
    let payload = null;
    try { payload = JSON.parse(data.join('\n')); } catch { payload = null; }
    return { name, payload };
  }

  // Applies one event; true when the job reached a final state.
  async function applyEvent(id, event) {
    const status = (event.payload && event.payload.status) || event.name;
    const known = state.jobs.get(id) || { id };
    if (!['queued', 'running', 'succeeded', 'failed', 'cancelled'].includes(status)) return false;
    if (FINAL.has(status)) {
      // The whole record (timings, URL) from the job's own route.
      let job;
      try { job = await api('GET', `/jobs/${encodeURIComponent(id)}`); } catch { job = null; }
      upsertJob(job || { ...known, ...(event.payload || {}), status });
      announce(id);
      return true;
    }
    upsertJob({ ...known, ...(event.payload && event.payload.id === id ? event.payload : {}), status });
    announce(id);
    return false;
  }

  async function poll(id) {
    for (;;) {
      const job = await api('GET', `/jobs/${encodeURIComponent(id)}`);
      upsertJob(job);
      announce(id);
      if (FINAL.has(job.status)) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  function setProgress(id, text) {
    const latest = [...state.cards.keys()][0];
    if (latest === id || !latest) ui.progress.textContent = text;
  }

  function announce(id) {
    const job = state.jobs.get(id);
    if (!job) return;
    const words = {
      queued: 'Queued…', running: 'Generating…',
      succeeded: `Done${job.took ? ' in ' + job.took : ''}.`,
      failed: 'Failed: ' + (job.error || 'the job failed.'), cancelled: 'Cancelled.',
    };
    setProgress(id, words[job.status] || job.status);
    if (job.status === 'failed' && isNewest(id)) showError('The job failed: ' + (job.error || 'no reason given'));
    if (state.detailId === id) fillDetail(job);
  }

  function isNewest(id) { return ui.gallery.firstElementChild === state.cards.get(id); }

  // ---- Jobs and the gallery ----

  function duration(job) {
    let ms = null;
    if (typeof job.generation_ms === 'number' && job.generation_ms > 0) ms = job.generation_ms;
    else if (job.started_at && job.finished_at) ms = Date.parse(job.finished_at) - Date.parse(job.started_at);
    else if (FINAL.has(job.status) && job.created_at && job.updated_at) {
      ms = Date.parse(job.updated_at) - Date.parse(job.created_at);
    }
    if (ms === null || !Number.isFinite(ms) || ms < 0) return '';
    return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
  }

  function imagePath(job) {
    if (job.url) {
      try {
        const url = new URL(job.url, location.href);
        if (url.origin === location.origin) return url.pathname + url.search;
      } catch { /* not a URL: built from the key below */ }
    }
    return '/images/' + job.key.split('/').map(encodeURIComponent).join('/');
  }

  // The image from this server itself, never a redirect to the store's own host (an S3
  // presigned URL): the page's CSP admits only its own origin, and a fetch with a key would
  // need CORS on the bucket.
  function servedPath(job) {
    const path = imagePath(job);
    return path + (path.includes('?') ? '&' : '?') + 'redirect=false';
  }

  // The image's URL for <img> and the download link: the path itself without a key, else a blob
  // fetched with the key (an <img> cannot send the Authorization header).
  function imageUrl(job) {
    if (!state.images.has(job.id)) {
      const path = servedPath(job);
      const load = apiKey()
        ? fetch(path, { headers: headers() }).then((r) => {
          if (!r.ok) throw new ApiError(r.status, `the image answered ${r.status}`);
          return r.blob();
        }).then((blob) => URL.createObjectURL(blob))
        : Promise.resolve(path);
      state.images.set(job.id, load);
      load.catch(() => state.images.delete(job.id));
    }
    return state.images.get(job.id);
  }

  function upsertJob(job, { top = false } = {}) {
    const previous = state.jobs.get(job.id) || {};
    const merged = { ...previous, ...job };
    merged.took = duration(merged);
    state.jobs.set(job.id, merged);
    let card = state.cards.get(job.id);
    if (!card) {
      card = document.createElement('li');
      state.cards.set(job.id, card);
      if (top) ui.gallery.prepend(card); else ui.gallery.append(card);
    } else if (top) {
      ui.gallery.prepend(card);
    }
    renderCard(card, merged);
    ui.galleryStatus.textContent = '';
  }

  function renderCard(card, job) {
    const rendered = card.dataset.status;
    card.dataset.status = job.status;
    card.dataset.id = job.id;
    if (rendered === job.status && card.firstChild) return;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'card';
    button.setAttribute('aria-label', `${job.status === 'succeeded' ? 'Open image' : 'Open job'}: ${job.prompt || job.id}`);
    const thumb = document.createElement('span');
    thumb.className = 'thumb';
    if (job.status === 'succeeded' && job.key) {
      const img = document.createElement('img');
      img.alt = job.prompt || '';
      img.loading = 'lazy';
      img.decoding = 'async';
      thumb.append(img);
      imageUrl(job).then((url) => { img.src = url; }, () => { thumb.textContent = 'image unavailable'; });
    } else {
      const badge = document.createElement('span');
      badge.className = 'badge ' + job.status;
      badge.textContent = job.status;
      thumb.append(badge);
    }
    const caption = document.createElement('span');
    caption.className = 'caption';
    caption.textContent = job.prompt || job.id;
    button.append(thumb, caption);
    button.addEventListener('click', () => openDetail(job.id));
    card.replaceChildren(button);
  }

  async function loadPage() {
    if (state.loadingPage || state.cursor === null) return;
    state.loadingPage = true;
    ui.galleryStatus.textContent = 'Loading…';
    try {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (state.cursor) query.set('cursor', state.cursor);
      const page = await api('GET', '/jobs?' + query);
      for (const job of page.jobs) {
        if (!state.jobs.has(job.id)) upsertJob(job);
        if (!FINAL.has(job.status)) follow(job.id);
      }
      state.cursor = page.next_cursor || null;
      ui.galleryStatus.textContent =
        state.jobs.size === 0 ? 'No images yet: write a prompt and press Generate.' : '';
    } catch (e) {
      ui.galleryStatus.textContent = 'The history could not be loaded: ' + explain(e);
      state.loadingPage = false;
      return;
    }
    state.loadingPage = false;
    // Keep filling while the end of the list is still near the view, once the page is laid out.
    requestAnimationFrame(() => {
      if (state.cursor !== null && endNearView()) loadPage();
    });
  }

  const NEAR = 400;  // pixels below the view at which the next page is fetched
  const endNearView = () => ui.galleryEnd.getBoundingClientRect().top < innerHeight + NEAR;
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && state.model) loadPage();
  }, { rootMargin: `${NEAR}px` }).observe(ui.galleryEnd);

  // ---- The detail dialog ----

  function fillDetail(job) {
    const text = (id, value) => { $(id).textContent = value === undefined || value === null || value === '' ? '—' : String(value); };
    text('detail-title', job.status === 'succeeded' ? 'Image' : `Job ${job.status}`);
    text('d-prompt', job.prompt);
    text('d-negative', job.negative_prompt);
    text('d-seed', job.seed);
    text('d-size', job.width && job.height ? sizeText(job) : '');
    text('d-model', job.model);
    text('d-status', job.status + (job.error ? ': ' + job.error : ''));
    text('d-time', job.took);
    text('d-created', job.created_at ? new Date(job.created_at).toLocaleString() : '');
    const done = job.status === 'succeeded' && job.key;
    ui.dDownload.hidden = !done;
    ui.dImage.hidden = !done;
    if (done) {
      imageUrl(job).then((url) => {
        if (state.detailId !== job.id) return;
        ui.dImage.src = url;
        ui.dImage.alt = job.prompt || '';
        ui.dDownload.href = url;
        ui.dDownload.download = `pictor-${job.seed}.png`;
      }, (e) => { ui.dMessage.textContent = 'The image could not be loaded: ' + explain(e); });
    } else {
      ui.dImage.removeAttribute('src');
    }
    const hasSeed = job.seed !== undefined && job.seed !== null;
    ui.dCopySeed.disabled = !hasSeed;
    ui.dAgain.disabled = !hasSeed || !job.prompt;
    ui.dVariations.disabled = !hasSeed || !job.prompt;
    ui.dCancel.hidden = job.status !== 'queued';
  }

  function openDetail(id) {
    state.detailId = id;
    state.detailOpener = id;
    ui.dMessage.textContent = '';
    fillDetail(state.jobs.get(id));
    if (!ui.dialog.open) ui.dialog.showModal();
    ui.dClose.focus();
  }

  ui.dialog.addEventListener('close', () => {
    state.detailId = null;
    // The card that opened it (re-rendered since, perhaps: found again by its job).
    const opener = state.cards.get(state.detailOpener)?.querySelector('button');
    if (opener) opener.focus();
  });
  ui.dClose.addEventListener('click', () => ui.dialog.close());
  // A click on the backdrop (outside the dialog's box) closes it.
  ui.dialog.addEventListener('click', (event) => { if (event.target === ui.dialog) ui.dialog.close(); });

  const detailJob = () => state.jobs.get(state.detailId);

  ui.dCopySeed.addEventListener('click', async () => {
    const job = detailJob();
    try {
      await navigator.clipboard.writeText(String(job.seed));
      ui.dMessage.textContent = `Seed ${job.seed} copied.`;
    } catch {
      ui.dMessage.textContent = `The clipboard is not available here; the seed is ${job.seed}.`;
    }
  });

  // Fills the form with a job's request and `seed`.
  function fillForm(job, seed) {
    ui.prompt.value = job.prompt || '';
    ui.negative.value = job.negative_prompt || '';
    const size = `${job.width}x${job.height}`;
    if ([...ui.size.options].some((o) => o.value === size)) ui.size.value = size;
    ui.seedRandom.checked = false;
    ui.seed.disabled = false;
    ui.seed.value = String(seed);
    updateCount();
  }

  function jobBody(job, seed) {
    const body = { prompt: job.prompt, seed };
    if (job.negative_prompt) body.negative_prompt = job.negative_prompt;
    if (job.width && job.height) { body.width = job.width; body.height = job.height; }
    return body;
  }

  async function submitFromDetail(bodies, done) {
    ui.dMessage.textContent = 'Sending…';
    try {
      for (const body of bodies) {
        state.submission = null;  // each is a new job, even with a body sent before
        await submitJob(body);
      }
      ui.dialog.close();
      ui.progress.textContent = done;
      showError('');
    } catch (e) {
      ui.dMessage.textContent = explain(e);
    }
  }

  ui.dAgain.addEventListener('click', () => {
    const job = detailJob();
    fillForm(job, job.seed);
    submitFromDetail([jobBody(job, job.seed)], 'Queued again with the same seed.');
  });

  ui.dVariations.addEventListener('click', () => {
    const job = detailJob();
    const max = state.model ? state.model.seed.max : 2147483646;
    const seeds = [1, 2, 3].map((i) => (job.seed + i) % (max + 1));
    submitFromDetail(seeds.map((seed) => jobBody(job, seed)), 'Queued three variations.');
  });

  ui.dCancel.addEventListener('click', async () => {
    const job = detailJob();
    ui.dMessage.textContent = 'Cancelling…';
    try {
      const answer = await api('DELETE', `/jobs/${encodeURIComponent(job.id)}`);
      upsertJob(answer && answer.id ? answer : { ...job, status: 'cancelled' });
      ui.dMessage.textContent = 'Cancelled.';
      fillDetail(state.jobs.get(job.id));
      ui.dClose.focus();
    } catch (e) {
      ui.dMessage.textContent = e.status === 404 || e.status === 405
        ? (e.status === 405 ? 'This server cannot cancel jobs.' : explain(e))
        : 'Not cancelled: ' + explain(e);
    }
  });

  // ---- Start ----

  async function start() {
    showError('');
    try {
      applyModel(await api('GET', '/models'));
    } catch (e) {
      showError('The model’s limits could not be loaded: ' + explain(e));
      if (e.status === 401) ui.keyInput.focus();
      return;
    }
    // A new key may see other jobs: start the history again.
    state.cursor = undefined;
    state.jobs.clear();
    state.cards.clear();
    for (const load of state.images.values()) {
      load.then((url) => { if (url.startsWith('blob:')) URL.revokeObjectURL(url); }, () => {});
    }
    state.images.clear();
    ui.gallery.replaceChildren();
    await loadPage();
  }

  showKeyState();
  updateCount();
  start();
})();
