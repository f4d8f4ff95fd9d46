import Decimal from "decimal.js";
import { DateTime } from "luxon";
let t=performance.now();
let a=new Decimal("17000000000"), s=new Decimal(0);
for(let i=0;i<1e6;i++){ s=s.add(a.mul("0.02")); }
console.log("1e6 dec mul+add", performance.now()-t);
t=performance.now();
let n=0;
for(let i=0;i<1e5;i++){ const d=DateTime.fromObject({year:2026,month:5,day:1+(i%28),hour:2,minute:30},{zone:"Asia/Tokyo"}); n+=d.toMillis(); }
console.log("1e5 fromObject zone", performance.now()-t);
t=performance.now();
const d0=DateTime.fromObject({year:2026,month:5,day:1,hour:2,minute:30},{zone:"Asia/Tokyo"});
for(let i=0;i<1e5;i++){ const s=d0.plus({minutes:i}).toISO(); }
console.log("1e5 plus+toISO", performance.now()-t);
