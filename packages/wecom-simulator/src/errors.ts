// WeCom answers every API call with HTTP 200 and an errcode; the simulator throws these and the router
// turns them into { errcode, errmsg } the way WeCom words them (errmsg carries a hint and the query link).
export class WeComError extends Error {
  readonly errcode: number;
  constructor(errcode: number, message: string) {
    super(message);
    this.errcode = errcode;
  }
}

export const E = {
  invalidCredential: () => new WeComError(40001, 'invalid credential'),
  invalidCorpId: () => new WeComError(40013, 'invalid corpid'),
  invalidToken: () => new WeComError(40014, 'invalid access_token'),
  missingToken: () => new WeComError(41001, 'access_token missing'),
  expiredToken: () => new WeComError(42001, 'access_token expired'),
  frequency: () => new WeComError(45009, 'reach max api daily quota limit'),
  concurrency: () => new WeComError(45033, 'api concurrent out of limit'),
  forbidden: (why = 'api forbidden') => new WeComError(48002, why),
  badJson: () => new WeComError(47001, 'data format error'),
  invalidMedia: () => new WeComError(40007, 'invalid media_id'),
  invalidParam: (what: string) => new WeComError(40058, `invalid Request Parameter, ${what}`),
  noUser: (userid: string) => new WeComError(60111, `userid not found: ${userid}`),
  noPrivilege: () => new WeComError(60011, 'no privilege to access/modify contact/party/agent'),
  notExternalContact: () => new WeComError(84061, 'not external contact'),
  invalidExternalUserId: () => new WeComError(40096, 'invalid external userid'),
  invalidCode: () => new WeComError(40029, 'invalid code'),
  notFound: (what: string) => new WeComError(40058, `invalid Request Parameter, ${what} not found`),
};

export const ERRMSG_HINT = (code: number, msg: string, hint: string) =>
  code === 0
    ? 'ok'
    : `${msg}, hint: [${hint}], more info at https://open.work.weixin.qq.com/devtool/query?e=${code}`;
