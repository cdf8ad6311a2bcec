import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** The field-service module's own texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  stale: '记录已被他人修改，请刷新后重试',
  segment_unknown: '分群不存在',
  segment_hidden: '您无权查看该分群的对象，无法用它创建主动服务规则',
  not_technician: '该用户不是可派单的服务工程师',
  user_unknown: '用户不存在或不在您的组织范围内',
  slot_full: '该时段已约满，请选择其他时段',
  slot_overlap: '时段与该工程师已有时段重叠',
  slot_window: '结束时间须晚于开始时间',
  no_technician: '当天没有具备该技能、负责该区域且有空闲时段的工程师',
  ticket_unknown: '工单不存在',
  ticket_closed: '工单已关闭，不能再派单',
  ticket_has_order: '该工单已有进行中的现场服务单',
  wrong_status: '服务单当前状态为「{status}」，不能执行此操作',
  not_yours: '只有被派单的工程师可以执行此操作',
  photo_invalid: '图片无法识别，请上传 JPG/PNG/WebP/HEIC 照片',
  photo_too_many: '每张服务单最多 {max} 张照片',
  description: '主动服务：分群「{segment}」的成员，由规则「{rule}」自动创建。',
  wo_prefix: 'FS',
};
const en: Record<string, string> = {
  stale: 'Someone else changed this record: reload and try again',
  segment_unknown: 'No such segment',
  segment_hidden: 'You cannot read the records of this segment, so it cannot drive a rule of yours',
  not_technician: 'This user is not a technician who can be dispatched',
  user_unknown: 'No such user in your part of the organisation',
  slot_full: 'This slot is fully booked: choose another one',
  slot_overlap: "The window overlaps one of the technician's slots",
  slot_window: 'The end must be after the start',
  no_technician: 'No technician with this skill and area has a free slot that day',
  ticket_unknown: 'No such ticket',
  ticket_closed: 'The ticket is closed: it cannot be dispatched',
  ticket_has_order: 'This ticket already has a live work order',
  wrong_status: 'The work order is "{status}": this is not possible now',
  not_yours: 'Only the dispatched technician can do this',
  photo_invalid: 'This image cannot be read: upload a JPG, PNG, WebP or HEIC photo',
  photo_too_many: 'At most {max} photos per work order',
  description: 'Predictive service: a member of segment "{segment}", created by rule "{rule}".',
  wo_prefix: 'FS',
};

export const { text: fsText, problem: fsProblem } = moduleMessages(zh, en);
