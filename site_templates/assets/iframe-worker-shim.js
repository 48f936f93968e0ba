/*
 * iframe-worker-shim.js: lets Material's search run in a handbook bundle opened from disk.
 *
 * Why: browsers refuse `new Worker("file:///...")` (Chromium gives every file: URL an opaque
 * origin), so on file:// Material's search worker never starts and the search box stays empty.
 * Material anticipates a shim for this case: on file: it reads the index through a <script> tag
 * instead of fetch(), and its worker `await`s `importScripts`, so a worker that lives in a hidden
 * iframe on the page's own thread is enough. This file is the handbook's own implementation of
 * that idea; the bundle lists it in `extra.polyfills`, which also stops Material from loading its
 * default shim from unpkg.com.
 *
 * How: on file: pages only, `window.Worker` becomes `FileWorker`. Each instance adds a hidden
 * about:blank iframe (same origin as the page, so we may script it), gives the iframe's window
 * the globals a worker script expects (postMessage to us, importScripts, close) and loads the
 * worker script into it with an ordinary <script> element, which file: pages are allowed to do.
 * Messages are structured-cloned into the receiving window's realm and delivered asynchronously,
 * as with a real worker; messages sent before the worker script has run are held back.
 *
 * Limits, none of which Material's search worker runs into: the "worker" shares the page's main
 * thread; importScripts returns a Promise instead of blocking (a synchronous version would need
 * document.write, which after the frame has loaded wipes the document and the worker's message
 * listeners), so callers must `await` it; no module workers, transfer lists, or a `self.location`
 * naming the worker script.
 * Nothing here reaches the network: it only loads the URLs the page itself asks for.
 */
(function () {
  "use strict";

  // Over http(s) the real Worker works and is better (its own thread): leave it alone.
  if (location.protocol !== "file:") return;

  // postMessage semantics: the receiver gets a copy made of its own realm's objects, so that
  // neither side shares state with, or sees prototypes of, the other window.
  function copyInto(realm, data) {
    return realm.structuredClone ? realm.structuredClone(data) : realm.JSON.parse(JSON.stringify(data));
  }

  // Resolves once the script at `href` has run in `win` (rejects if it cannot be loaded).
  function runScript(win, href) {
    return new Promise(function (resolve, reject) {
      var script = win.document.createElement("script");
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("iframe-worker-shim: cannot load " + href)); };
      script.src = href;
      win.document.head.appendChild(script);
    });
  }

  // Plain ES2015 (no private fields): a bundle may be opened in an older, locally installed
  // browser, and a syntax error here would cost the search it exists to enable.
  class FileWorker extends EventTarget {
    constructor(url, options) {
      super();
      if (options && options.type === "module") {
        throw new TypeError("iframe-worker-shim: module workers are not supported on file://");
      }
      var worker = this;
      var src = new URL(url, document.baseURI).href;
      var queued = [];  // messages for the worker until its script has run; null afterwards

      // `onmessage = fn` must keep working alongside addEventListener: registering the bridge
      // listeners first also calls the handler before later listeners, as for a real Worker.
      this.onmessage = this.onerror = this.onmessageerror = null;
      ["message", "error", "messageerror"].forEach(function (type) {
        worker.addEventListener(type, function (event) {
          var handler = worker["on" + type];
          if (typeof handler === "function") handler.call(worker, event);
        });
      });

      var frame = document.createElement("iframe");
      frame.hidden = true;
      frame.setAttribute("aria-hidden", "true");
      frame.tabIndex = -1;
      (document.body || document.documentElement).appendChild(frame);
      var inner = frame.contentWindow;  // null once terminated: nothing is delivered after that

      function emit(event) {
        setTimeout(function () { if (inner) worker.dispatchEvent(event); });
      }
      function deliver(copy) {
        var target = inner;
        setTimeout(function () {
          if (inner === target) target.dispatchEvent(new target.MessageEvent("message", { data: copy }));
        });
      }

      // Relative URLs inside the worker (importScripts("../lunr/...")) mean the worker's URL.
      var base = inner.document.createElement("base");
      base.href = src;
      inner.document.head.appendChild(base);

      // The worker side: what a dedicated worker's global scope offers its script.
      inner.postMessage = function (data) {
        emit(new MessageEvent("message", { data: copyInto(window, data) }));
      };
      inner.importScripts = function () {
        var hrefs = Array.prototype.map.call(arguments, function (u) { return new URL(u, src).href; });
        return hrefs.reduce(function (done, href) {
          return done.then(function () { return runScript(inner, href); });
        }, Promise.resolve());
      };
      inner.close = function () { worker.terminate(); };
      inner.addEventListener("error", function (event) {
        emit(new ErrorEvent("error", {
          message: event.message, filename: event.filename, lineno: event.lineno, colno: event.colno,
        }));
      });

      runScript(inner, src).then(function () {
        var waiting = queued;
        queued = null;
        if (waiting) waiting.forEach(deliver);
      }, function (error) {
        emit(new ErrorEvent("error", { message: error.message, filename: src }));
      });

      // The page side.
      this.postMessage = function (data) {
        if (!inner) return;                    // terminated: dropped, as by a real worker
        var copy = copyInto(inner, data);      // copied now: later changes must not show
        if (queued) queued.push(copy);
        else deliver(copy);
      };
      this.terminate = function () {
        if (inner) frame.remove();
        inner = queued = null;
      };
    }
  }

  window.Worker = FileWorker;
})();
