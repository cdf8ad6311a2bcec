import { defineModule } from '../../engine/module.ts';
import { contactObject } from './contact.object.ts';
import { seedCrmPeople } from './crm.demo.ts';
import { customerObject } from './customer.object.ts';

/** Customers and contacts (R1.1, R4.1): the CRM's people and companies, on the record engine. */
export default defineModule({
  name: 'crm',
  label: { 'zh-CN': '客户', 'en-US': 'Customers' },
  objects: [customerObject, contactObject],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 30, run: seedCrmPeople },
});

export { customerObject, INDUSTRY_OPTIONS } from './customer.object.ts';
