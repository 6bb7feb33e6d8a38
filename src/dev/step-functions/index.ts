export { createStateMachines, type LocalStateMachines, type StateMachinesOptions, type HistoryEvent } from './state-machines.js';
