/** A real fleet: the deployer and its target hosts, how to reach each, and the fleet file that describes them. */
export { loadFleetFile, parseFleetFile } from './fleetFile.js';
export type { RealFleet, RealHost, RealDeployer } from './realFleet.js';
