/** What the simulator keeps: accounts (AccessKey pairs with their signs and templates) and every SMS. */
export interface SimAccount {
  accessKeyId: string;
  accessKeySecret: string;
  signNames: string[];
  /** TemplateCode → content with `${var}` placeholders, as approved in the console. */
  templates: Record<string, string>;
  /** Where SmsReport receipts are pushed (HTTP batch push, JSON array). */
  reportUrl?: string;
}

export interface SimSms {
  bizId: string;
  requestId: string;
  accessKeyId: string;
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  /** The text as the phone shows it: 【SignName】 + the filled template. */
  content: string;
  outId: string | null;
  sentAt: Date;
  /** 1 waiting for the carrier, 2 failed, 3 delivered (QuerySendDetails' SendStatus). */
  sendStatus: 1 | 2 | 3;
  errCode: string;
  reportedAt: Date | null;
  reportPushed: boolean;
}

export interface SmsReport {
  phone_number: string;
  send_time: string;
  report_time: string;
  success: boolean;
  err_code: string;
  err_msg: string;
  sms_size: string;
  biz_id: string;
  out_id: string;
}
