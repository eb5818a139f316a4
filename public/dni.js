// biome-ignore-all lint: plain ES5 on purpose (var, function expressions): it runs unchanged in every browser a site's visitors use
/*
 * Switchboard dynamic number insertion. Loaded by the snippet of GET /v2/group/dnisnippet, which
 * calls getDNIRecord('<dni code>', '<server host>'). Plain ES5, no dependencies.
 * - keeps a first-party visitor id (cookie + localStorage) and the visit's first touch
 *   (landing page, referrer, query parameters) across the pages of the visit;
 * - asks the server for the number to show, swaps the text of elements with the configured
 *   class (default `dni_element`) and tel: links showing the page's own number, including
 *   content added later (MutationObserver);
 * - renews the lease while the visitor stays, pauses when the tab has been hidden a while, and
 *   releases the number with sendBeacon when the page is left.
 */
(function (window, document) {
  'use strict';
  if (window.getDNIRecord) return;

  var VISITOR_KEY = 'sb_dni_vid';
  var TOUCH_KEY = 'sb_dni_touch';
  var DEFAULT_CLASS = 'dni_element';
  var TOUCH_TTL_MS = 30 * 60 * 1000;
  var HIDDEN_PAUSE_MS = 5 * 60 * 1000;
  var PHONE = /(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}/;

  var script = document.currentScript;
  // The server's base URL (PUBLIC_BASE_URL, path prefix included) is where dni.js came from.
  var scriptBase = script && script.src ? script.src.replace(/\/dni\.js([?#].*)?$/, '') : '';

  var state = {
    base: '',
    code: '',
    visitor: '',
    view: '',
    touch: null,
    answer: null,
    className: DEFAULT_CLASS,
    originals: {},
    timer: null,
    hiddenSince: 0,
    observer: null,
  };

  function storageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* storage disabled: the cookie still carries the visitor id */
    }
  }

  function cookieGet(name) {
    var match = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function randomId() {
    var bytes = [];
    var crypto = window.crypto || window.msCrypto;
    var i;
    if (crypto && crypto.getRandomValues) {
      var array = new Uint8Array(16);
      crypto.getRandomValues(array);
      for (i = 0; i < array.length; i++) bytes.push(array[i]);
    } else {
      for (i = 0; i < 16; i++) bytes.push(Math.floor(Math.random() * 256));
    }
    var id = '';
    for (i = 0; i < bytes.length; i++) id += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return id;
  }

  function visitorId() {
    var id = cookieGet(VISITOR_KEY) || storageGet(VISITOR_KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) id = randomId();
    document.cookie =
      VISITOR_KEY + '=' + encodeURIComponent(id) + '; path=/; max-age=' + 365 * 24 * 3600 + '; SameSite=Lax';
    storageSet(VISITOR_KEY, id);
    return id;
  }

  function hostOf(url) {
    var match = /^https?:\/\/([^/:?#]+)/i.exec(url || '');
    return match ? match[1].toLowerCase() : '';
  }

  function queryParams(url) {
    var params = {};
    var query = (url.split('#')[0].split('?')[1] || '').split('&');
    var count = 0;
    for (var i = 0; i < query.length && count < 50; i++) {
      if (!query[i]) continue;
      var pair = query[i].split('=');
      var name;
      var value;
      try {
        name = decodeURIComponent(pair[0].replace(/\+/g, ' '));
        value = decodeURIComponent((pair[1] || '').replace(/\+/g, ' '));
      } catch (e) {
        continue;
      }
      if (name.length > 64 || params.hasOwnProperty(name)) continue;
      params[name] = value.slice(0, 512);
      count++;
    }
    return params;
  }

  /** The visit's first touch: kept while the visitor moves between pages of the same site. */
  function firstTouch() {
    var now = new Date().getTime();
    var stored = null;
    try {
      stored = JSON.parse(storageGet(TOUCH_KEY) || 'null');
    } catch (e) {
      stored = null;
    }
    var referrer = document.referrer || '';
    var internal = referrer !== '' && hostOf(referrer) === location.hostname.toLowerCase();
    var fromCampaign = /[?&](utm_[a-z]+|gclid)=/.test(location.search);
    var touch =
      stored && now - stored.at < TOUCH_TTL_MS && (internal || referrer === '') && !fromCampaign
        ? stored
        : { landing: location.href, referrer: referrer, params: queryParams(location.href) };
    touch.at = now;
    storageSet(TOUCH_KEY, JSON.stringify(touch));
    return touch;
  }

  function post(path, body, onDone) {
    var request = new XMLHttpRequest();
    request.open('POST', state.base + path, true);
    // text/plain JSON is a simple CORS request: no preflight before every page view.
    request.setRequestHeader('Content-Type', 'text/plain;charset=UTF-8');
    request.onreadystatechange = function () {
      if (request.readyState !== 4) return;
      var answer = null;
      if (request.status === 200) {
        try {
          answer = JSON.parse(request.responseText);
        } catch (e) {
          answer = null;
        }
      }
      onDone(answer);
    };
    request.send(JSON.stringify(body));
  }

  function digitsOf(text) {
    var digits = String(text || '').replace(/\D/g, '');
    return digits.length === 11 && digits.charAt(0) === '1' ? digits.slice(1) : digits;
  }

  /** The new number in the shape of the old text: (800) 555-0100 stays (xxx) xxx-xxxx. */
  function reshape(text, number) {
    var digits = digitsOf(text);
    if (digits.length !== 10) return null;
    var next = 0;
    var skip = text.replace(/\D/g, '').length - 10;
    var out = '';
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (ch >= '0' && ch <= '9') {
        if (skip > 0) {
          skip--;
          out += ch;
        } else {
          out += number.charAt(next++);
        }
      } else {
        out += ch;
      }
    }
    return out;
  }

  function textNodes(element) {
    var nodes = [];
    var walker = document.createTreeWalker(element, 4, null, false);
    while (walker.nextNode()) nodes.push(walker.currentNode);
    return nodes;
  }

  function hasClass(element, name) {
    return (' ' + (element.getAttribute('class') || '') + ' ').indexOf(' ' + name + ' ') !== -1;
  }

  function swapLink(link, answer) {
    var href = link.getAttribute('href') || '';
    if (href.toLowerCase().indexOf('tel:') !== 0) return;
    var digits = digitsOf(href.slice(4));
    if (digits === answer.number) return;
    if (!hasClass(link, state.className) && !state.originals[digits]) return;
    state.originals[digits] = true;
    link.setAttribute('href', 'tel:' + answer.e164);
  }

  function swapElement(element, answer) {
    if (element.getAttribute('data-sb-dni') === answer.number) return;
    var swapped = false;
    var nodes = textNodes(element);
    for (var i = 0; i < nodes.length; i++) {
      var match = PHONE.exec(nodes[i].data);
      if (!match) continue;
      state.originals[digitsOf(match[0])] = true;
      var shaped = reshape(match[0], answer.number);
      if (shaped) {
        nodes[i].data = nodes[i].data.replace(match[0], shaped);
        swapped = true;
      }
    }
    element.setAttribute('data-sb-dni', answer.number);
    if (!swapped && /^\s*$/.test(element.textContent || '')) element.textContent = answer.formatted;
    if (element.tagName === 'A') swapLink(element, answer);
  }

  function swapWithin(root, answer) {
    if (!root || root.nodeType !== 1) return;
    var i;
    var elements = [];
    if (hasClass(root, state.className)) elements.push(root);
    var found = root.getElementsByClassName(state.className);
    for (i = 0; i < found.length; i++) elements.push(found[i]);
    for (i = 0; i < elements.length; i++) swapElement(elements[i], answer);
    var links = root.tagName === 'A' ? [root] : [];
    var more = root.getElementsByTagName('a');
    for (i = 0; i < more.length; i++) links.push(more[i]);
    for (i = 0; i < links.length; i++) swapLink(links[i], answer);
  }

  function observe() {
    if (state.observer || !window.MutationObserver) return;
    state.observer = new MutationObserver(function (mutations) {
      if (!state.answer) return;
      for (var i = 0; i < mutations.length; i++) {
        var added = mutations[i].addedNodes;
        for (var j = 0; j < added.length; j++) swapWithin(added[j], state.answer);
      }
    });
    state.observer.observe(document.documentElement, { childList: true, subtree: true });
  }

  function schedule(seconds) {
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(heartbeat, seconds * 1000);
  }

  function request() {
    post(
      '/dni/v1/number',
      {
        code: state.code,
        visitor: state.visitor,
        view: state.view,
        page: location.href,
        landing: state.touch.landing,
        referrer: state.touch.referrer,
        params: state.touch.params,
      },
      function (answer) {
        if (!answer || !answer.number) {
          // The server could not be reached: keep what the page shows and try again later.
          if (state.answer) schedule(60);
          return;
        }
        state.answer = answer;
        if (answer.dni_element) state.className = answer.dni_element;
        swapWithin(document.body || document.documentElement, answer);
        observe();
        if (answer.heartbeat_seconds) schedule(answer.heartbeat_seconds);
      },
    );
  }

  function heartbeat() {
    state.timer = null;
    // A tab hidden for a while stops renewing; its lease lapses and the number returns to the pool.
    if (document.hidden && state.hiddenSince && new Date().getTime() - state.hiddenSince > HIDDEN_PAUSE_MS) {
      return;
    }
    state.touch.at = new Date().getTime();
    storageSet(TOUCH_KEY, JSON.stringify(state.touch));
    request();
  }

  function release() {
    var answer = state.answer;
    if (!answer || answer.dni_type !== 'session' || !navigator.sendBeacon) return;
    var body = JSON.stringify({
      code: state.code,
      visitor: state.visitor,
      number: answer.number,
      view: state.view,
    });
    try {
      navigator.sendBeacon(state.base + '/dni/v1/release', new Blob([body], { type: 'text/plain' }));
    } catch (e) {
      /* the lease simply lapses */
    }
  }

  window.getDNIRecord = function (code, host) {
    if (!code || state.code) return;
    state.code = String(code);
    state.base = scriptBase || location.protocol + '//' + host;
    state.visitor = visitorId();
    state.view = randomId();
    state.touch = firstTouch();
    document.addEventListener('visibilitychange', function () {
      if (document.hidden) {
        state.hiddenSince = new Date().getTime();
      } else {
        var wasPaused = state.hiddenSince && !state.timer;
        state.hiddenSince = 0;
        if (wasPaused) heartbeat();
      }
    });
    window.addEventListener('pagehide', release);
    window.addEventListener('pageshow', function (event) {
      if (event.persisted) heartbeat();
    });
    request();
  };
})(window, document);
