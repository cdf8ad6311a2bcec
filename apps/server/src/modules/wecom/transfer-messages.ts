import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** Texts of 在职/离职继承 and remark edits (zh-CN first, en-US). */
export const transferText = moduleMessages(
  {
    transfer_limit_90d: '{count} 位客户 90 天内已被在职继承 2 次，企业微信不允许再次转接',
    transfer_customer_unknown: '客户不属于该成员或不存在',
    remark_changed: '备注已被他人修改，请查看最新内容后再保存',
    unknown_group: '该企业下没有所选的客户群',
    errcode_40129: '该客户正在转接中',
    errcode_40130: '90 天内在职继承已达 2 次',
    errcode_84061: '客户不是交接成员的好友',
    errcode_40096: '客户不存在',
    errcode_other: '企业微信拒绝（错误码 {errcode}）',
    group_errcode_40050: '群不存在或已解散',
    group_errcode_90500: '群主在职状态与转接方式不符（离职继承需群主已离职，在职继承需群主在职）',
    group_errcode_90501: '新群主已是该群群主',
  },
  {
    transfer_limit_90d:
      '{count} customer(s) were already transferred twice in 90 days; WeCom allows no further in-service transfer',
    transfer_customer_unknown: 'The customer does not belong to this staff member or does not exist',
    remark_changed: 'Someone else changed this remark; check the latest version and save again',
    unknown_group: 'This corp holds no such customer group',
    errcode_40129: 'This customer is already being transferred',
    errcode_40130: 'Already transferred twice in 90 days',
    errcode_84061: 'The customer is not a contact of the handover',
    errcode_40096: 'No such customer',
    errcode_other: 'Refused by WeCom (error {errcode})',
    group_errcode_40050: 'The group does not exist or was dismissed',
    group_errcode_90500:
      'The owner’s status does not match (resigned transfer needs a leaver, in-service an active owner)',
    group_errcode_90501: 'The new owner already owns this group',
  },
);

export const refusalReason = (locale: Parameters<typeof transferText.text>[0], errcode: number) =>
  [40129, 40130, 84061, 40096].includes(errcode)
    ? transferText.text(locale, `errcode_${errcode}`)
    : transferText.text(locale, 'errcode_other', { errcode });
