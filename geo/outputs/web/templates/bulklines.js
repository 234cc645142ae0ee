
if (!L.GeoBulkLines) {
L.GeoBulkLines = L.Layer.extend({
    options: {weight: 2, opacity: 0.9, pane: 'overlayPane'},

    initialize: function (packed, options) {
        L.setOptions(this, options);
        var scale = packed.scale, d = JSON.parse(packed.deltas), n = d.length / 2;
        // Mercator in world units (0..1 at zoom 0, times 256 * 2^zoom for pixels), once for all zooms.
        var u = new Float64Array(d.length), x = 0, y = 0, D = Math.PI / 180, MAXLAT = 85.0511287798;
        var west = Infinity, south = Infinity, east = -Infinity, north = -Infinity;
        for (var i = 0; i < d.length; i += 2) {
            x += d[i]; y += d[i + 1];
            var lng = x / scale, lat = Math.max(Math.min(y / scale, MAXLAT), -MAXLAT);
            if (lng < west) west = lng; if (lng > east) east = lng;
            if (lat < south) south = lat; if (lat > north) north = lat;
            u[i] = lng / 360 + 0.5;
            u[i + 1] = 0.5 - Math.log(Math.tan(Math.PI / 4 + lat * D / 2)) / (2 * Math.PI);
        }
        this._u = u;
        this._lengths = packed.lengths;        // vertices per track, tracks grouped by colour
        this._colours = packed.colours;        // one per batch
        this._counts = packed.counts;          // tracks per batch
        this._bounds = n ? L.latLngBounds([south, west], [north, east]) : null;
    },

    getBounds: function () { return this._bounds; },

    getEvents: function () {
        var events = {zoomend: this._redraw, moveend: this._redraw, resize: this._redraw,
                      viewreset: this._redraw};
        if (this._zoomAnimated) events.zoomanim = this._animateZoom;
        return events;
    },

    onAdd: function (map) {
        var canvas = this._canvas = L.DomUtil.create('canvas', 'geo-bulk-lines');
        canvas.style.pointerEvents = 'none';
        this._zoomAnimated = map._zoomAnimated;
        if (this._zoomAnimated) L.DomUtil.addClass(canvas, 'leaflet-zoom-animated');
        this._ctx = canvas.getContext('2d');
        this.getPane().appendChild(canvas);
        this._redraw();
    },

    onRemove: function () {
        L.DomUtil.remove(this._canvas);
        this._canvas = this._ctx = null;
    },

    _animateZoom: function (e) {
        var map = this._map, scale = map.getZoomScale(e.zoom, this._zoom);
        var offset = map.getSize().multiplyBy(-0.5 * scale).add(map.project(this._center, e.zoom))
                        .subtract(map._getNewPixelOrigin(e.center, e.zoom));
        L.DomUtil.setTransform(this._canvas, offset, scale);
    },

    _redraw: function () {
        var map = this._map;
        if (!map || !this._canvas) return;
        var size = map.getSize(), topLeft = map.containerPointToLayerPoint([0, 0]).round();
        var dpr = window.devicePixelRatio || 1, canvas = this._canvas, ctx = this._ctx;
        this._zoom = map.getZoom();
        this._center = map.getCenter();
        L.DomUtil.setPosition(canvas, topLeft);
        var w = Math.round(size.x * dpr), h = Math.round(size.y * dpr);
        if (canvas.width !== w || canvas.height !== h) {
            canvas.width = w; canvas.height = h;
            canvas.style.width = size.x + 'px'; canvas.style.height = size.y + 'px';
        } else {
            ctx.setTransform(1, 0, 0, 1, 0, 0);
            ctx.clearRect(0, 0, w, h);
        }
        // canvas pixel = world pixel - pixel origin - topLeft (layer point of the container's corner)
        var k = 256 * Math.pow(2, this._zoom), origin = map.getPixelOrigin();
        var ox = origin.x + topLeft.x, oy = origin.y + topLeft.y;
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.lineWidth = this.options.weight;
        ctx.globalAlpha = this.options.opacity;
        ctx.lineCap = 'round';
        ctx.lineJoin = 'round';
        var u = this._u, lengths = this._lengths, p = 0, t = 0;
        for (var c = 0; c < this._colours.length; c++) {
            // One colour per batch; one stroke per track: a single path of thousands of overlapping
            // sub-paths rasterises far slower in Chromium (10,000 tracks: ~1.7 s against ~1.2 s drawn).
            ctx.strokeStyle = this._colours[c];
            for (var end = t + this._counts[c]; t < end; t++) {
                var m = lengths[t];
                if (m > 0) {
                    ctx.beginPath();
                    ctx.moveTo(u[p] * k - ox, u[p + 1] * k - oy);
                    for (var j = 1; j < m; j++) ctx.lineTo(u[p + 2 * j] * k - ox, u[p + 2 * j + 1] * k - oy);
                    ctx.stroke();
                }
                p += 2 * m;
            }
        }
    }
});
}
