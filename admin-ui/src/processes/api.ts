import type { FormSchema } from '../../../lib/forms/form-schema';
import { apiFetch } from '../api';
import type { ProcessCategory, ProcessStatus } from '../../../lib/processes/lifecycle';

export interface ProcessVersion {
  id: number;
  process_key: string;
  version: number;
  name: string;
  published_at: string;
  published_by_name: string | null;
  current: boolean;
  xml?: string;
}

export interface PublishResult {
  processKey: string;
  version: number;
  /** true: the XML was the latest version's, so no new version was made. */
  unchanged: boolean;
  /** A new process is a draft until it is enabled (docs/process-engine.md, "Process lifecycle"). */
  status: ProcessStatus;
}

export interface ProcessSettings {
  status: ProcessStatus;
  category: ProcessCategory | null;
}

export async function fetchVersions(key: string): Promise<ProcessVersion[]> {
  return (await apiFetch(`/api/processes/${encodeURIComponent(key)}/versions?range=[0,199]`)).json();
}

export async function fetchVersion(key: string, version: number): Promise<ProcessVersion & { xml: string; form: FormSchema | null; forms: Record<string, FormSchema> | null }> {
  return (await apiFetch(`/api/processes/${encodeURIComponent(key)}/versions/${version}`)).json();
}

export async function setCurrentVersion(key: string, version: number): Promise<void> {
  await apiFetch(`/api/processes/${encodeURIComponent(key)}/current`, { method: 'PUT', body: JSON.stringify({ version }) });
}

/** Status and category (processes:publish); the answer is the settings as stored. */
export async function saveSettings(key: string, settings: Partial<{ status: ProcessStatus; category: ProcessCategory }>): Promise<ProcessSettings & { processKey: string }> {
  return (await apiFetch(`/api/processes/${encodeURIComponent(key)}/settings`, { method: 'PUT', body: JSON.stringify(settings) })).json();
}

/** Publishes XML; a 422 carries every problem with its element id in `details`. */
/** Publishes the diagram with the Camunda forms it links (by form id; a form left out is kept from the latest version). */
export async function publish(xml: string, forms: Record<string, FormSchema> = {}): Promise<PublishResult> {
  return (await apiFetch('/api/processes', { method: 'POST', body: JSON.stringify({ xml, makeCurrent: true, forms }) })).json();
}

/** A new process starts from this: a start event, one review task, an end event. */
export const NEW_PROCESS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_new" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="new_process" name="新流程" isExecutable="true">
    <bpmn:startEvent id="start" name="申请"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="审核">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="city_staff" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="办结"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="new_process">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="review_di" bpmnElement="review"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="392" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120" /><di:waypoint x="392" y="120" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;
