import { closeOnSignal, createLogger } from '@ordergraph/common';
import { readGatewayConfig } from './config.js';
import { startGateway } from './server.js';

const log = createLogger('gateway');
const gateway = await startGateway(readGatewayConfig(process.env), log);
closeOnSignal(log, gateway.close);
