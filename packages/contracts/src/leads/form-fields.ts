// Zod-free on purpose: the web's form editor imports this list at run time.
/** Lead fields a public form may collect (never owner, status, score …). */
export const FORM_FIELDS = [
  'name',
  'company',
  'phone',
  'email',
  'title',
  'region',
  'industry',
  'need',
  'companySize',
  'decisionChain',
  'remark',
] as const;
