/** JavaScript served to the member's browser (the CSP allows no inline script): same-origin calls only. */
/** Code send with a countdown, sign-in, redeem and file a ticket (with the key the page was rendered with), sign-out. */
export const SCRIPT = `(function(){var base=location.pathname.replace(/\\/$/,'');
function post(path,body){return fetch(base+path,{method:'POST',headers:{'content-type':'application/json'},credentials:'same-origin',body:JSON.stringify(body||{})})
.then(function(r){return r.text().then(function(t){var j={};try{j=t?JSON.parse(t):{};}catch(e){}if(!r.ok)throw j;return j;});});}
function say(id,t,ok){var m=document.getElementById(id);if(m){m.textContent=t||'';m.className=ok?'ok':'err';}}
function problem(j,fb){if(j&&j.errors&&j.errors.length&&j.errors[0].message)return j.errors[0].message;return (j&&(j.detail||j.title))||fb;}
var f=document.getElementById('signin');if(f){var sb=document.getElementById('send-code');
sb.addEventListener('click',function(){sb.disabled=true;say('signin-msg','');post('/code',{phone:f.phone.value}).then(function(j){var s=j.resendAfterSeconds||60;
say('signin-msg','验证码已发送',true);var t=setInterval(function(){s--;sb.textContent=s+' 秒后重发';if(s<=0){clearInterval(t);sb.disabled=false;sb.textContent='获取验证码';}},1000);})
.catch(function(j){sb.disabled=false;say('signin-msg',problem(j,'发送失败，请稍后再试'));});});
f.addEventListener('submit',function(e){e.preventDefault();var b=f.querySelector('button[type=submit]');b.disabled=true;
post('/sign-in',{phone:f.phone.value,code:f.code.value,ref:f.ref.value||undefined}).then(function(){location.replace(base);})
.catch(function(j){b.disabled=false;say('signin-msg',problem(j,'登录失败，请重试'));});});}
Array.prototype.forEach.call(document.querySelectorAll('form.redeem'),function(r){r.addEventListener('submit',function(e){e.preventDefault();
var b=r.querySelector('button[type=submit]');b.disabled=true;var body={rewardId:r.getAttribute('data-reward'),idempotencyKey:r.getAttribute('data-key')};
if(r.ship_name){body.shipping={name:r.ship_name.value,phone:r.ship_phone.value,address:r.ship_address.value};}
var mid='msg-'+r.getAttribute('data-reward');post('/redeem',body).then(function(){say(mid,'兑换成功',true);setTimeout(function(){location.reload();},700);})
.catch(function(j){b.disabled=false;say(mid,problem(j,'兑换失败，请稍后再试'));});});});
var tk=document.getElementById('ticket');if(tk)tk.addEventListener('submit',function(e){e.preventDefault();var b=tk.querySelector('button[type=submit]');b.disabled=true;
post('/tickets',{description:tk.description.value,idempotencyKey:tk.getAttribute('data-key')}).then(function(j){tk.description.disabled=true;say('ticket-msg','已提交，工单号 '+j.number+'，客服会尽快联系您',true);})
.catch(function(j){b.disabled=false;say('ticket-msg',problem(j,'提交失败，请稍后再试'));});});
var so=document.getElementById('sign-out');if(so)so.addEventListener('click',function(){post('/sign-out').then(function(){location.replace(base);});});
var cp=document.getElementById('copy-ref');if(cp)cp.addEventListener('click',function(){var u=document.getElementById('ref-url');
if(navigator.clipboard){navigator.clipboard.writeText(u.textContent).then(function(){cp.textContent='已复制';});}else{var s=window.getSelection(),g=document.createRange();g.selectNodeContents(u);s.removeAllRanges();s.addRange(g);}});
})();`;
