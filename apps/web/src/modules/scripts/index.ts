/** What other web modules use of the script library: reply suggestions for a customer message. */
export { ReplySuggestions } from './reply-suggestions';
export { useTextSuggestions } from './scripts-api';
