import type { GraphEdge, GraphNode, JourneyDefinition, StepData } from '@kehu/contracts/journeys';
import { handlesOf } from '@kehu/contracts/journeys';
import {
  addEdge,
  Background,
  type Connection,
  Controls,
  type Edge,
  Handle,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
  useEdgesState,
  useNodesState,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import {
  Alert,
  App,
  Button,
  Drawer,
  Dropdown,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { TFunction } from 'i18next';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { useSession } from '../../app/session';
import { ApiError } from '../../shared/api-client';
import { errorMessage } from '../../shared/error-message';
import { ErrorResult } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type JourneyAnalytics, useAnalytics, useJourney, useJourneyAction } from './journeys-api';
import { handleText, StepForm, stepSummary, TriggerForm } from './step-form';

type StepNode = Node<{ step: StepData; label?: string }, 'step'>;

const KINDS: StepData['kind'][] = [
  'wait',
  'condition',
  'random',
  'send',
  'task',
  'tag',
  'field',
  'lead',
  'exit',
];
const DEFAULTS: Record<string, StepData> = {
  wait: { kind: 'wait', mode: 'duration', duration: { amount: 3, unit: 'days' } },
  condition: { kind: 'condition', rule: { trait: 'city', op: 'eq', value: '上海' } },
  random: {
    kind: 'random',
    variants: [
      { key: 'a', weight: 50 },
      { key: 'b', weight: 50 },
    ],
  },
  send: { kind: 'send', channel: 'sms', purpose: 'marketing', content: { text: '' }, onSkip: 'continue' },
  task: { kind: 'task', title: '' },
  tag: { kind: 'tag', tagId: '00000000-0000-0000-0000-000000000000', action: 'add' },
  field: { kind: 'field', trait: 'journey_note', value: '' },
  lead: { kind: 'lead', title: '旅程线索' },
  exit: { kind: 'exit' },
};

/** What the canvas shows on each step: its problems and, when asked, its figures. */
const CanvasInfo = createContext<{
  problems: Map<string, string[]>;
  stats: Map<string, JourneyAnalytics['steps'][number]> | null;
}>({
  problems: new Map(),
  stats: null,
});

function StepBox({ id, data, selected }: NodeProps<StepNode>) {
  const { t } = useTranslation();
  const { problems, stats } = useContext(CanvasInfo);
  const issues = problems.get(id) ?? [];
  const s = stats?.get(id);
  const handles = handlesOf(data.step);
  return (
    <div
      data-testid={`journey-node-${id}`}
      data-invalid={issues.length > 0 || undefined}
      style={{
        minWidth: 150,
        padding: '6px 10px',
        borderRadius: 6,
        background: '#fff',
        border: `2px solid ${issues.length ? '#ff4d4f' : selected ? '#1677ff' : '#d9d9d9'}`,
        fontSize: 12,
      }}
    >
      {data.step.kind !== 'entry' && <Handle type="target" position={Position.Top} />}
      <div style={{ fontWeight: 600 }}>{data.label || t(`journeys.kind.${data.step.kind}`)}</div>
      <div style={{ color: '#666' }}>{stepSummary(t, data.step)}</div>
      {issues.map((m) => (
        <div key={m} style={{ color: '#ff4d4f' }}>
          {m}
        </div>
      ))}
      {s && (
        <Space size={2} wrap style={{ marginTop: 4 }}>
          <Tag color="blue">{t('journeys.editor.now', { n: s.now })}</Tag>
          <Tag>{t('journeys.editor.done', { n: s.executed })}</Tag>
          {data.step.kind === 'send' && <Tag color="green">{t('journeys.editor.sent', { n: s.sent })}</Tag>}
          {s.skipped > 0 && <Tag color="orange">{t('journeys.editor.skipped', { n: s.skipped })}</Tag>}
        </Space>
      )}
      {handles.map((h, i) => (
        <Handle
          key={h}
          id={h}
          type="source"
          position={Position.Bottom}
          style={{ left: `${((i + 1) * 100) / (handles.length + 1)}%` }}
          title={handleText(t, h)}
        />
      ))}
      {handles.length > 1 && (
        <div style={{ display: 'flex', justifyContent: 'space-around', color: '#999', marginTop: 2 }}>
          {handles.map((h) => (
            <span key={h}>{handleText(t, h)}</span>
          ))}
        </div>
      )}
    </div>
  );
}

const nodeTypes = { step: StepBox };
const toNodes = (def: JourneyDefinition): StepNode[] =>
  def.graph.nodes.map((n) => ({
    id: n.id,
    type: 'step',
    position: n.position,
    data: { step: n.data, label: n.label },
  }));
const toEdges = (def: JourneyDefinition, t: TFunction): Edge[] =>
  def.graph.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    sourceHandle: e.sourceHandle,
    label: e.sourceHandle === 'next' ? undefined : handleText(t, e.sourceHandle),
  }));

/** The canvas editor: steps and branches, keyboard editing, publishing with problems shown on the steps, figures per step. */
export function JourneyEditorPage() {
  const { id = '' } = useParams();
  const q = useJourney(id);
  if (q.error) return <ErrorResult error={q.error} onRetry={() => q.refetch()} />;
  if (!q.data) return <PageSkeleton />;
  return <Editor key={id} id={id} />;
}

function Editor({ id }: { id: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const mobile = useIsMobile();
  const j = useJourney(id).data!;
  const editable = can('journeys:manage') && !mobile;
  const start = (j.draft ?? j.live)!.definition;
  const [nodes, setNodes, onNodesChange] = useNodesState<StepNode>(toNodes(start));
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>(toEdges(start, t));
  const [settings, setSettings] = useState({
    trigger: start.trigger,
    goal: start.goal,
    reentry: start.reentry,
    holdoutPercent: start.holdoutPercent,
  });
  const [problems, setProblems] = useState(new Map<string, string[]>());
  const [editing, setEditing] = useState<string | null>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [showStats, setShowStats] = useState(j.status !== 'draft');
  const stats = useAnalytics(id, showStats);
  const act = useJourneyAction(id);

  const definition = useCallback(
    (): JourneyDefinition => ({
      ...settings,
      graph: {
        nodes: nodes.map(
          (n): GraphNode => ({ id: n.id, data: n.data.step, position: n.position, label: n.data.label }),
        ),
        edges: edges.map(
          (e): GraphEdge => ({
            id: e.id,
            source: e.source,
            target: e.target,
            sourceHandle: e.sourceHandle ?? 'next',
          }),
        ),
      },
    }),
    [nodes, edges, settings],
  );

  const showProblems = (err: unknown) => {
    const map = new Map<string, string[]>();
    if (err instanceof ApiError)
      for (const e of err.problem.errors ?? []) {
        const m = /^definition\.graph\.nodes\.(\d+)/.exec(e.field);
        const node = m ? nodes[Number(m[1])] : undefined;
        if (node) map.set(node.id, [...(map.get(node.id) ?? []), e.message]);
      }
    setProblems(map);
    message.error(
      err instanceof ApiError && map.size
        ? t('journeys.editor.errors', { count: err.problem.errors?.length ?? 0 })
        : errorMessage(err),
    );
  };
  const save = () =>
    act.save.mutateAsync({ name: j.name, definition: definition() }).then(() => {
      setProblems(new Map());
      message.success(t('journeys.editor.saved'));
    }, showProblems);
  const publish = async () => {
    try {
      await act.save.mutateAsync({ name: j.name, definition: definition() });
      await act.publish.mutateAsync();
      setProblems(new Map());
      message.success(t('journeys.editor.published'));
    } catch (err) {
      showProblems(err);
    }
  };

  const addStep = useCallback(
    (kind: string) => {
      const nid = `${kind}-${Math.random().toString(36).slice(2, 7)}`;
      const from = nodes.find((n) => n.selected) ?? nodes.at(-1);
      const pos = from ? { x: from.position.x, y: from.position.y + 120 } : { x: 0, y: 0 };
      setNodes((ns) => [
        ...ns.map((n) => ({ ...n, selected: false })),
        { id: nid, type: 'step', position: pos, selected: true, data: { step: DEFAULTS[kind]! } },
      ]);
    },
    [nodes, setNodes],
  );

  // Keyboard: A add, arrows move, Delete remove, Enter edit (the canvas works without a mouse).
  useEffect(() => {
    if (!editable) return;
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (target.closest('input, textarea, .ant-select, .ant-drawer, .ant-modal')) return;
      const sel = nodes.find((n) => n.selected);
      if (e.key === 'a' || e.key === 'A') {
        e.preventDefault();
        addStep('wait');
      } else if (sel && e.key.startsWith('Arrow')) {
        e.preventDefault();
        const d = e.shiftKey ? 50 : 10;
        const [dx, dy] = { ArrowUp: [0, -d], ArrowDown: [0, d], ArrowLeft: [-d, 0], ArrowRight: [d, 0] }[
          e.key
        ] ?? [0, 0];
        setNodes((ns) =>
          ns.map((n) =>
            n.id === sel.id ? { ...n, position: { x: n.position.x + dx!, y: n.position.y + dy! } } : n,
          ),
        );
      } else if (sel && e.key === 'Enter') {
        e.preventDefault();
        setEditing(sel.id);
      } else if (sel && (e.key === 'Delete' || e.key === 'Backspace') && sel.data.step.kind !== 'entry') {
        e.preventDefault();
        setNodes((ns) => ns.filter((n) => n.id !== sel.id));
        setEdges((es) => es.filter((x) => x.source !== sel.id && x.target !== sel.id));
      } else if (e.key === 'Tab' && !e.shiftKey && target === document.body && nodes.length) {
        // Tab from the page body selects the next step.
        e.preventDefault();
        const i = sel ? nodes.indexOf(sel) : -1;
        const next = nodes[(i + 1) % nodes.length]!;
        setNodes((ns) => ns.map((n) => ({ ...n, selected: n.id === next.id })));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [editable, nodes, setNodes, setEdges, addStep]);

  const onConnect = useCallback(
    (c: Connection) =>
      setEdges((es) =>
        addEdge(
          {
            ...c,
            id: `e-${c.source}-${c.sourceHandle ?? 'next'}-${c.target}`,
            label: c.sourceHandle && c.sourceHandle !== 'next' ? handleText(t, c.sourceHandle) : undefined,
          },
          es.filter(
            (x) => !(x.source === c.source && (x.sourceHandle ?? 'next') === (c.sourceHandle ?? 'next')),
          ),
        ),
      ),
    [setEdges, t],
  );
  const statMap = useMemo(
    () => (showStats && stats.data ? new Map(stats.data.steps.map((s) => [s.stepId, s])) : null),
    [showStats, stats.data],
  );
  const a = stats.data;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

  return (
    <div className="kehu-page" data-testid="journey-editor">
      <div className="kehu-page-header" style={{ flexWrap: 'wrap', gap: 8 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {j.name}{' '}
          <Tag color={j.status === 'live' ? 'green' : 'default'}>{t(`journeys.status.${j.status}`)}</Tag>
          {j.liveVersion && <Tag>{t('journeys.editor.version', { v: j.liveVersion })}</Tag>}
        </Typography.Title>
        <Space wrap>
          <Space size={4}>
            <Switch size="small" checked={showStats} onChange={setShowStats} data-testid="journey-stats" />
            {t('journeys.editor.analytics')}
          </Space>
          {editable && (
            <>
              <Dropdown
                menu={{
                  items: [
                    ...KINDS.map((k) => ({ key: k, label: t(`journeys.kind.${k}`) })),
                    // No service module yet: the step is shown, disabled, with why.
                    {
                      key: 'ticket',
                      disabled: true,
                      label: (
                        <Tooltip title={t('journeys.editor.ticketDisabled')}>
                          <span data-testid="journey-add-ticket">{t('journeys.kind.ticket')}</span>
                        </Tooltip>
                      ),
                    },
                  ],
                  onClick: ({ key }) => key !== 'ticket' && addStep(key),
                }}
              >
                <Button data-testid="journey-add">{t('journeys.editor.add')}</Button>
              </Dropdown>
              <Button onClick={() => setShowSettings(true)} data-testid="journey-settings">
                {t('journeys.editor.settings')}
              </Button>
              <Button onClick={save} loading={act.save.isPending} data-testid="journey-save">
                {t('journeys.editor.save')}
              </Button>
              <Button
                type="primary"
                onClick={publish}
                loading={act.publish.isPending}
                data-testid="journey-publish"
              >
                {t('journeys.editor.publish')}
              </Button>
            </>
          )}
        </Space>
      </div>
      {mobile && (
        <Alert type="info" showIcon message={t('journeys.editor.readOnly')} style={{ marginBottom: 8 }} />
      )}
      {editable && <Typography.Text type="secondary">{t('journeys.editor.addHint')}</Typography.Text>}
      {showStats && a && (
        <Space wrap style={{ margin: '8px 0' }} data-testid="journey-figures">
          <Tag>
            {t('journeys.list.entered')} {a.entered}
          </Tag>
          <Tag>
            {t('journeys.list.active')} {a.active}
          </Tag>
          <Tag color="green">
            {t('journeys.list.converted')} {a.treatment.converted} ({pct(a.treatment.rate)})
          </Tag>
          {a.uplift && (
            <Tag color="blue">
              {t('journeys.editor.uplift', {
                value: pct(a.uplift.value),
                low: pct(a.uplift.low),
                high: pct(a.uplift.high),
              })}
            </Tag>
          )}
          <Tag>{t('journeys.editor.revenue', { value: (a.revenue / 100).toFixed(2) })}</Tag>
        </Space>
      )}
      <CanvasInfo.Provider value={{ problems, stats: statMap }}>
        <div
          style={{
            height: mobile ? 480 : 620,
            border: '1px solid #f0f0f0',
            borderRadius: 8,
            background: '#fafafa',
          }}
        >
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={editable ? onNodesChange : undefined}
            onEdgesChange={editable ? onEdgesChange : undefined}
            onConnect={editable ? onConnect : undefined}
            onNodeDoubleClick={editable ? (_, n) => setEditing(n.id) : undefined}
            nodesDraggable={editable}
            nodesConnectable={editable}
            elementsSelectable
            deleteKeyCode={null}
            fitView
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
      </CanvasInfo.Provider>
      <StepDrawer
        node={nodes.find((n) => n.id === editing) ?? null}
        onClose={() => setEditing(null)}
        onChange={(data) => setNodes((ns) => ns.map((n) => (n.id === editing ? { ...n, data } : n)))}
        onDelete={() => {
          setNodes((ns) => ns.filter((n) => n.id !== editing));
          setEdges((es) => es.filter((x) => x.source !== editing && x.target !== editing));
          setEditing(null);
        }}
      />
      <SettingsDrawer
        open={showSettings}
        value={settings}
        onClose={() => setShowSettings(false)}
        onChange={setSettings}
      />
    </div>
  );
}

function JsonField({
  value,
  onValid,
  testId,
}: {
  value: unknown;
  onValid: (v: any) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [bad, setBad] = useState(false);
  return (
    <Form.Item
      validateStatus={bad ? 'error' : undefined}
      help={bad ? t('journeys.editor.jsonError') : undefined}
    >
      <Input.TextArea
        data-testid={testId}
        autoSize={{ minRows: 4, maxRows: 16 }}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onValid(e.target.value.trim() === '' ? null : JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
        style={{ fontFamily: 'monospace', fontSize: 12 }}
      />
    </Form.Item>
  );
}

function StepDrawer({
  node,
  onClose,
  onChange,
  onDelete,
}: {
  node: StepNode | null;
  onClose: () => void;
  onChange: (d: StepNode['data']) => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  if (!node) return null;
  const s = node.data.step;
  const set = (patch: Partial<StepData>) => {
    const step = { ...s, ...patch } as Record<string, unknown>;
    for (const k of Object.keys(step)) if (step[k] === undefined) delete step[k];
    onChange({ ...node.data, step: step as StepData });
  };
  return (
    <Drawer
      open
      title={`${t('journeys.editor.step')} · ${t(`journeys.kind.${s.kind}`)}`}
      onClose={onClose}
      width={mobile ? '100%' : 420}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={t('journeys.editor.label')}>
          <Input
            value={node.data.label ?? ''}
            onChange={(e) => onChange({ ...node.data, label: e.target.value || undefined })}
            data-testid="step-label"
          />
        </Form.Item>
        <StepForm step={s} onPatch={(patch) => set(patch as Partial<StepData>)} />
        {s.kind !== 'entry' && (
          <Button danger onClick={onDelete}>
            {t('journeys.editor.delete')}
          </Button>
        )}
      </Form>
    </Drawer>
  );
}

type Settings = Pick<JourneyDefinition, 'trigger' | 'goal' | 'reentry' | 'holdoutPercent'>;
function SettingsDrawer({
  open,
  value,
  onClose,
  onChange,
}: {
  open: boolean;
  value: Settings;
  onClose: () => void;
  onChange: (s: Settings) => void;
}) {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  return (
    <Drawer open={open} title={t('journeys.editor.settings')} onClose={onClose} width={mobile ? '100%' : 460}>
      <Form layout="vertical">
        <TriggerForm
          value={value.trigger}
          onChange={(trigger) => onChange({ ...value, trigger: trigger as never })}
        />
        <Form.Item label={t('journeys.editor.goal')}>
          <JsonField
            value={value.goal}
            onValid={(goal) => onChange({ ...value, goal })}
            testId="journey-goal"
          />
        </Form.Item>
        <Form.Item label={t('journeys.editor.reentry')}>
          <Space>
            <Select
              style={{ width: 160 }}
              value={value.reentry.policy}
              onChange={(policy) =>
                onChange({
                  ...value,
                  reentry: policy === 'after' ? { policy, days: 30 } : ({ policy } as Settings['reentry']),
                })
              }
              options={(['never', 'after', 'always'] as const).map((p) => ({
                value: p,
                label: t(`journeys.editor.policy.${p}`),
              }))}
            />
            {value.reentry.policy === 'after' && (
              <InputNumber
                min={1}
                value={value.reentry.days}
                onChange={(d) => onChange({ ...value, reentry: { policy: 'after', days: Number(d) || 1 } })}
              />
            )}
          </Space>
        </Form.Item>
        <Form.Item label={t('journeys.editor.holdout')}>
          <InputNumber
            min={0}
            max={50}
            value={value.holdoutPercent}
            onChange={(h) => onChange({ ...value, holdoutPercent: Number(h) || 0 })}
          />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
