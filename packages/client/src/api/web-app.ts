/**
 * The Datamint web app that goes with an API URL, as the platform's client derives it: a local
 * API (`http://localhost…`) pairs with the app on port 3000, the staging API with the staging
 * app, and every other API with the hosted app.
 */
export function webAppUrl(apiUrl: string): string {
  if (apiUrl.startsWith('http://localhost')) return 'http://localhost:3000';
  if (apiUrl.startsWith('https://stagingapi.datamint.io')) return 'https://staging.datamint.io';
  return 'https://app.datamint.io';
}
