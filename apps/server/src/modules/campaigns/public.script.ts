/** JavaScript served to the registrant's browser (the CSP allows no inline script): same-origin calls only. */
/** The form's script: posts JSON, shows field errors, and the ticket QR on success. */
export const REGISTER_JS = `(function(){var f=document.getElementById('reg');if(!f)return;var e=document.getElementById('err');
f.addEventListener('submit',function(ev){ev.preventDefault();e.textContent='';var phone=f.phone.value.trim();
if(!/^1[3-9]\\d{9}$/.test(phone)){e.textContent=f.dataset.phoneInvalid;f.phone.focus();return;}
var fields={};Array.prototype.forEach.call(f.querySelectorAll('[name]'),function(i){if(i.name!=='phone'&&i.name!=='consent'&&i.value.trim())fields[i.name]=i.value.trim();});
var consents=Array.prototype.map.call(f.querySelectorAll('[name=consent]:checked'),function(i){return i.value;});
var b=f.querySelector('button');b.disabled=true;var body={phone:phone,fields:fields,consents:consents};if(f.dataset.link)body.link=f.dataset.link;
fetch(location.pathname.replace(/\\/$/,'')+'/register',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)})
.then(function(r){return r.json().then(function(j){return{s:r.status,j:j};});}).then(function(x){b.disabled=false;
if(x.s===201){f.outerHTML='<div class="card ok" id="done"><h2>'+f.dataset.done+'</h2><img alt="QR" src="'+x.j.qr+'"><p>'+f.dataset.hint+'</p></div>';return;}
e.textContent=(x.j.errors&&x.j.errors[0]&&x.j.errors[0].message)||x.j.detail||x.j.title;}).catch(function(){b.disabled=false;});});})();`;
