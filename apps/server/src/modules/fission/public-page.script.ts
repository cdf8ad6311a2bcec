/** JavaScript served to the participant's browser (the CSP allows no inline script): same-origin calls only. */
/** Join (POST JSON, then go to the progress page) and live progress (poll every 4 s while visible). */
export const SCRIPT = `(function(){var f=document.getElementById('join');if(f){f.addEventListener('submit',function(e){e.preventDefault();
var b=f.querySelector('button');b.disabled=true;var m=document.getElementById('join-msg');
fetch(location.pathname.replace(/\\/$/,'')+'/join',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({name:f.name.value})})
.then(function(r){return r.json().then(function(j){if(!r.ok)throw j;location.href=j.url;});}).catch(function(j){b.disabled=false;m.textContent=(j&&j.title)||'参加失败，请稍后再试';});});}
var p=document.getElementById('progress');if(!p)return;function tick(){if(document.hidden)return;fetch(location.pathname+'/progress').then(function(r){return r.json();}).then(function(j){
document.getElementById('done').textContent=j.done;var w=document.getElementById('bar');w.style.width=Math.min(100,Math.round(100*j.done/j.needed))+'%';
var r=document.getElementById('reward');if((j.rewardKey||'')!==(r.getAttribute('data-key')||''))location.reload();}).catch(function(){});}setInterval(tick,4000);})();`;
