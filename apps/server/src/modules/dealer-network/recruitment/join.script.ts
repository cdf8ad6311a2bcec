/** JavaScript served to the applicant's browser (the CSP allows no inline script): same-origin calls only. */
/** The page's script: files to base64, JSON to the public API, field errors under their fields. */
export const JOIN_JS = `(function(){
var f=document.getElementById('join');if(!f)return;
function b64(file){return new Promise(function(ok,ko){var r=new FileReader();r.onload=function(){ok(String(r.result).split(',')[1]||'')};r.onerror=ko;r.readAsDataURL(file)})}
function clear(){var es=f.querySelectorAll('.err');for(var i=0;i<es.length;i++)es[i].textContent='';var bs=f.querySelectorAll('.bad');for(var j=0;j<bs.length;j++)bs[j].classList.remove('bad')}
f.addEventListener('submit',function(ev){ev.preventDefault();clear();var btn=document.getElementById('send');var out=document.getElementById('result');
btn.disabled=true;btn.textContent=f.dataset.sending;out.className='';out.textContent='';
var v=function(n){var el=f.elements[n];return el&&el.value.trim()?el.value.trim():undefined};
var files=Array.prototype.slice.call(document.getElementById('f-documents').files||[]).slice(0,3);var kind=document.getElementById('f-kind').value;
Promise.all(files.map(function(x){return b64(x).then(function(c){return {name:x.name.slice(0,120),kind:kind,content:c}})})).then(function(docs){
var body={company:v('company'),contactName:v('contactName'),phone:v('phone'),email:v('email'),region:v('region'),category:v('category'),message:v('message'),documents:docs,website:f.elements.website.value||undefined};
return fetch('/api/v1/public/dealer-applications/'+encodeURIComponent(f.dataset.key),{method:'POST',headers:{'content-type':'application/json','accept-language':f.dataset.locale},body:JSON.stringify(body)})
.then(function(r){return r.json().catch(function(){return {}}).then(function(j){return {s:r.status,j:j}})})}).then(function(r){
btn.disabled=false;btn.textContent=f.dataset.submit;
if(r.s===201||r.s===202){out.className='note ok';out.setAttribute('data-testid','join-thanks');out.textContent=f.dataset.thanks.replace('{ref}',r.j.reference||'');f.reset();return}
if(r.s===429){out.className='note ko';out.textContent=f.dataset.toomany;return}
out.className='note ko';out.textContent=(r.j.detail||f.dataset.failed);
(r.j.errors||[]).forEach(function(e){var k=String(e.field||'').split('.')[0];var el=document.getElementById('e-'+k);if(el)el.textContent=e.message||'';var inp=document.getElementById('f-'+k);if(inp)inp.classList.add('bad')})
}).catch(function(){btn.disabled=false;btn.textContent=f.dataset.submit;out.className='note ko';out.textContent=f.dataset.failed})})})();`;
