// Writes the app API's generated types (haru-api.d.ts) from the gateway's OpenAPI document.
import { writeFile } from 'node:fs/promises';
import { gatewayDocument } from './gateway-document.ts';
import { haruApiTypes, haruApiTypesFile } from './haru-api-types.ts';

await writeFile(haruApiTypesFile, await haruApiTypes(await gatewayDocument()));
console.log(`wrote ${haruApiTypesFile.pathname}`);
