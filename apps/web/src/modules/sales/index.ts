/**
 * What other web modules may use of the sales pages (dependency-cruiser: only through this file).
 * The one customer page (modules/customers) reads the customer 360 payload with these.
 */
export { type Customer360, salesApi, shortMoney } from './sales-api';
export { salesKeys } from './sales-keys';
