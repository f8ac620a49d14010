// The CDK app's entry (cdk.json): `npm run synth -w infra`, `npx cdk deploy` (see ../README.md).
import { createApp } from '../src/app.ts';

createApp().app.synth();
