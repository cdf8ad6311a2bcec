/**
 * The store landing page's only script (served from /wecom/store/page.js: the CSP allows no
 * inline script). Picking a city loads its stores; "nearest" asks the browser for its position
 * and picks the closest store by great-circle distance, computed here — no map tiles, and the
 * position never leaves the phone.
 */
export const STORE_PAGE_JS = `(function () {
  var form = document.getElementById('city-form'), select = document.getElementById('city');
  var go = document.getElementById('city-go');
  if (go) go.hidden = true;
  if (select && form) select.addEventListener('change', function () { form.submit(); });
  var btn = document.getElementById('nearest'), msg = document.getElementById('geo-msg');
  var stores = [];
  try { stores = JSON.parse(document.body.dataset.located || '[]'); } catch (e) { stores = []; }
  if (!btn || !stores.length || !navigator.geolocation) return;
  btn.hidden = false;
  function rad(d) { return d * Math.PI / 180; }
  function km(a, b) {
    var dLat = rad(b.lat - a.lat), dLng = rad(b.lng - a.lng);
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 12742 * Math.asin(Math.sqrt(h));
  }
  btn.addEventListener('click', function () {
    btn.disabled = true;
    if (msg) msg.textContent = '正在获取位置…';
    navigator.geolocation.getCurrentPosition(function (pos) {
      var me = { lat: pos.coords.latitude, lng: pos.coords.longitude }, best = null, bestKm = Infinity;
      for (var i = 0; i < stores.length; i++) {
        var d = km(me, stores[i]);
        if (d < bestKm) { bestKm = d; best = stores[i]; }
      }
      if (best) location.href = location.pathname + '?store=' + best.n;
    }, function () {
      btn.disabled = false;
      if (msg) msg.textContent = '无法获取位置，请手动选择城市';
    }, { timeout: 10000, maximumAge: 600000 });
  });
})();
`;
