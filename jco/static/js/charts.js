/*
 * charts.js - draws the Plotly figures of a page. Static file, no inline script
 * needed (CSP script-src 'self'); makes no request except the map outlines,
 * which plotly.js fetches from our own server.
 *
 * Contract (server side: jco.charts_assets):
 *
 *   <meta name="jco-topojson-url" content="/static/maps/">          (optional, once per page)
 *   <link id="plotly.js-style-global" class="no-inline-styles" rel="stylesheet"
 *         href="/static-vendor/plotly-<version>.css">   (plotly's CSS: it cannot inject it under our CSP)
 *   <div id="ops-map" class="chart"></div>
 *   <script type="application/json" class="plotly-figure"
 *           data-target="ops-map"
 *           data-topojson-url="/static/maps/">{{ figure_json(fig) }}</script>
 *   <script src="/static-vendor/plotly-<version>.min.js" defer></script>
 *   <script src="{{ asset_url('js/charts.js') }}" defer></script>
 *
 * - Every <script type="application/json" class="plotly-figure"> is one figure:
 *   its text is the figure JSON as written by plotly.py (fig.to_json(); escape
 *   "<" as \u003c, which jco.charts_assets.figure_json does). plotly.py 7's
 *   typed-array encoding ({"dtype": "f8", "bdata": "..."}) is decoded by plotly.js.
 * - data-target (required): id of the element to draw into.
 * - data-topojson-url (optional): base URL of the map outlines; else the
 *   <meta name="jco-topojson-url"> content; else "/static/maps/". A trailing "/"
 *   is added if missing. plotly.js appends "<scope>_<resolution>m.json".
 * - Only same-origin URLs are accepted for topojson (absolute http(s) URLs or
 *   protocol-relative "//host/" ones are ignored in favour of the default), so a
 *   page can never make plotly.js fetch from another host.
 * - The target gets data-plotly-state="drawn" or "error" when done, and a
 *   "jco:chart-drawn" / "jco:chart-error" event (bubbles) is dispatched on it.
 * - Figures are drawn once the DOM is ready, one after the other (so several
 *   maps share one download of the map file); window.JCOCharts.render(root)
 *   draws the figures inside a node inserted later (already drawn ones are
 *   skipped) and returns a promise.
 * - Loading plotly.js when needed (the JCO page): instead of the plotly.js
 *   <script>, the page gives its URL to this script,
 *       <script src="charts.js" data-plotly-src="/static-vendor/plotly-<v>.min.js"
 *               data-charts-load="visible" defer></script>
 *   and each figure is drawn only once its target comes within 200 px of
 *   the viewport (IntersectionObserver); plotly.js (a same-origin URL only) is
 *   added to the page then, once. Until then the page's text and tables cost
 *   nothing of plotly's 4.8 MB to fetch or parse. Without IntersectionObserver
 *   every figure is drawn at once.
 */
(function () {
    "use strict";

    var DEFAULT_TOPOJSON_URL = "/static/maps/";

    // Modebar: keep "download PNG", pan, zoom and reset. Remove "Share chart..."
    // (plotly.js 4 uploads the figure to Plotly Cloud: never for our data), and
    // what makes no sense in read-only dashboards: box/lasso selection (nothing
    // listens to selections), autoscale, spike lines and hover-mode toggles.
    var MODEBAR_REMOVE = [
        "sendChartToCloud",
        "select2d",
        "lasso2d",
        "autoScale2d",
        "toggleSpikelines",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
        "hoverClosestGeo",
        "hoverClosestGl2d",
        "hoverClosestPie",
        "toggleHover",
        "sendDataToCloud",
        "editInChartStudio"
    ];

    function isSameOriginPath(url) {
        // "/static/maps/" or "maps/" - not "//host/..." nor "scheme:..."
        return typeof url === "string" && url !== "" &&
            !/^[a-z][a-z0-9+.-]*:/i.test(url) && url.indexOf("//") !== 0 && url.indexOf("\\") === -1;
    }

    function topojsonURL(script) {
        var meta = document.querySelector('meta[name="jco-topojson-url"]');
        var candidates = [script.getAttribute("data-topojson-url"), meta && meta.getAttribute("content")];
        for (var i = 0; i < candidates.length; i++) {
            if (isSameOriginPath(candidates[i])) {
                var url = candidates[i];
                return url.charAt(url.length - 1) === "/" ? url : url + "/";
            }
        }
        return DEFAULT_TOPOJSON_URL;
    }

    function signal(target, state, detail) {
        target.setAttribute("data-plotly-state", state);
        var name = state === "drawn" ? "jco:chart-drawn" : "jco:chart-error";
        var event;
        if (typeof window.CustomEvent === "function") {
            event = new window.CustomEvent(name, { bubbles: true, detail: detail });
        } else {
            event = document.createEvent("CustomEvent");
            event.initCustomEvent(name, true, false, detail);
        }
        target.dispatchEvent(event);
    }

    // Returns a promise that always resolves (a failed figure does not stop the others).
    function draw(script) {
        if (script.getAttribute("data-plotly-done")) return Promise.resolve();
        script.setAttribute("data-plotly-done", "1");

        var targetId = script.getAttribute("data-target");
        var target = targetId && document.getElementById(targetId);
        if (!target) {
            if (window.console) window.console.error("charts.js: no element #" + targetId);
            return Promise.resolve();
        }
        if (!window.Plotly) {
            signal(target, "error", { error: "plotly.js not loaded" });
            return Promise.resolve();
        }

        var fig;
        try {
            fig = JSON.parse(script.textContent);
        } catch (err) {
            signal(target, "error", { error: "invalid figure JSON: " + err.message });
            return Promise.resolve();
        }

        var config = {
            responsive: true,
            displaylogo: false,
            scrollZoom: false, // the page scrolls; zoom with the modebar buttons
            showSendToCloud: false,
            plotlyServerURL: "",
            showTips: false,
            modeBarButtonsToRemove: MODEBAR_REMOVE,
            topojsonURL: topojsonURL(script)
        };

        return window.Plotly.newPlot(target, fig.data || [], fig.layout || {}, config).then(
            function (gd) {
                signal(target, "drawn", { graphDiv: gd });
            },
            function (err) {
                if (window.console) window.console.error("charts.js: #" + targetId, err);
                signal(target, "error", { error: String(err && err.message ? err.message : err) });
            }
        );
    }

    var loader = document.querySelector("script[data-plotly-src]");
    var plotlyLoading = null;

    // Resolves once window.Plotly exists (or it never will: draw() then reports the error).
    function loadPlotly() {
        if (window.Plotly) return Promise.resolve();
        if (plotlyLoading) return plotlyLoading;
        var src = loader && loader.getAttribute("data-plotly-src");
        if (!isSameOriginPath(src)) return Promise.resolve();
        plotlyLoading = new Promise(function (resolve) {
            var script = document.createElement("script");
            script.src = src;
            script.onload = resolve;
            script.onerror = resolve;
            document.head.appendChild(script);
        });
        return plotlyLoading;
    }

    // Figures are drawn one after the other: plotly.js caches a map file once it
    // has loaded it, so a page with several maps downloads world_50m.json once.
    var queue = Promise.resolve();

    function enqueue(script) {
        queue = queue.then(loadPlotly).then(function () { return draw(script); });
        return queue;
    }

    var observer = null;
    var watched = [];
    if (loader && loader.getAttribute("data-charts-load") === "visible" && "IntersectionObserver" in window) {
        observer = new window.IntersectionObserver(function (entries) {
            entries.forEach(function (entry) {
                if (!entry.isIntersecting) return;
                observer.unobserve(entry.target);
                watched.forEach(function (pair) {
                    if (pair[0] === entry.target) enqueue(pair[1]);
                });
            });
        }, { rootMargin: "200px 0px" });
    }

    function render(root) {
        var scripts = (root || document).querySelectorAll('script[type="application/json"].plotly-figure');
        Array.prototype.forEach.call(scripts, function (script) {
            var target = document.getElementById(script.getAttribute("data-target") || "");
            if (observer && target && !script.getAttribute("data-plotly-done")) {
                watched.push([target, script]);
                observer.observe(target);
            } else {
                enqueue(script);
            }
        });
        return queue;
    }

    window.JCOCharts = { render: render };

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { render(document); });
    } else {
        render(document);
    }
})();
