import { registerStandardObject } from '../../engine/records/standard-objects.ts';
import { contactObject } from './contact.object.ts';
import { customerObject } from './customer.object.ts';

export function registerCrmModule(): void {
  registerStandardObject(customerObject);
  registerStandardObject(contactObject);
}
