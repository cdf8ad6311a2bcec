/** The page's only script (the CSP allows no inline script): post the answer as JSON, show the thanks. */
export const SCRIPT = `(function(){var f=document.getElementById('survey');if(!f)return;f.addEventListener('submit',function(e){e.preventDefault();
var m=document.getElementById('msg');var b=f.querySelector('button[type=submit]');var v=function(n){var x=f.querySelector('input[name='+n+']:checked');return x?Number(x.value):undefined;};
var body={csat:v('csat'),nps:v('nps')};var c=f.comment.value.trim();if(c)body.comment=c;
if(body.csat===undefined&&body.nps===undefined){m.textContent=f.dataset.required;return;}b.disabled=true;
fetch(location.pathname.replace(/\\/$/,'')+'/answer',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)})
.then(function(r){return r.json().then(function(j){if(!r.ok)throw j;f.hidden=true;document.getElementById('thanks').hidden=false;});})
.catch(function(j){b.disabled=false;m.textContent=(j&&(j.detail||j.title))||'提交失败，请稍后再试';});});})();`;
