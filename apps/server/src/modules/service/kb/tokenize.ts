import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/** Words of after-sales service the general dictionary splits wrongly (保养 → 保 + 养 in some contexts). */
const SERVICE_WORDS = [
  '保养',
  '首保',
  '维修',
  '钣金',
  '喷漆',
  '胎压',
  '机油',
  '空调滤芯',
  '刹车片',
  '蓄电池',
  '充电桩',
  '续航',
  '质保',
  '延保',
  '救援',
  '投诉',
  '预约',
  '上门',
  '安装',
  '故障灯',
  '异响',
];

let jieba: Jieba | null = null;
const segmenter = () => {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    jieba.loadDict(Buffer.from(SERVICE_WORDS.map((w) => `${w} 2000 n`).join('\n')));
  }
  return jieba;
};

const STOP = new Set(
  '的 了 是 我 你 您 他 她 它 们 我们 你们 这 那 这个 那个 就 都 也 还 吗 呢 吧 啊 呀 哦 嗯 和 与 及 或 在 有 没 不 很 太 会 能 要 把 被 给 让 对 从 到 一个 一下 什么 怎么 如果 因为 所以 但是 可以 请 问 如何'.split(
    ' ',
  ),
);

/** Jieba search-mode tokens, lower-cased, without punctuation and stop words. */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of segmenter().cutForSearch(text.slice(0, 20_000), false)) {
    const w = raw.trim().toLowerCase();
    if (!w || STOP.has(w) || !/[\p{L}\p{N}]/u.test(w)) continue;
    out.push(w);
  }
  return out;
}

/** The tokens column: title words twice (a title match weighs more), then the text. */
export const indexText = (title: string, body: string) =>
  [...tokens(title), ...tokens(title), ...tokens(body)].join(' ');
