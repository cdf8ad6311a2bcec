import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Form, Image, Input, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/error-message';
import { type Material, type Share, type SharePayload, shareMaterial } from './materials-api';

function useCustomerSearch(q: string) {
  return useQuery({
    queryKey: ['materials', 'customers', q],
    queryFn: () =>
      http.get<{ items: Array<{ id: string; name: string }> }>('/records/customer', {
        q: q || undefined,
        limit: 20,
      }),
  });
}

/**
 * Share one material: choose a customer (optional), get the tracked link and the message the
 * sidebar sends. `onSend` hands the payload on (the WeCom sidebar calls sendChatMessage with it).
 */
export function ShareModal({
  material,
  customerId,
  externalUserId,
  onClose,
  onSend,
}: {
  material: Material;
  customerId?: string;
  /** In the WeCom sidebar: the customer of the open chat, whatever Kehu knows of them yet. */
  externalUserId?: string;
  onClose: () => void;
  onSend?: (payload: SharePayload, share: Share) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [customer, setCustomer] = useState<string | undefined>(customerId);
  const [share, setShare] = useState<Share | null>(null);
  const [busy, setBusy] = useState(false);
  const customers = useCustomerSearch(q);
  const create = async () => {
    setBusy(true);
    try {
      const s = await shareMaterial(
        material.id,
        customer ? { customerId: customer } : externalUserId ? { externalUserId } : {},
      );
      setShare(s);
      onSend?.(s.payload, s);
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('materials.shareModal.title', { title: material.title })}
      onCancel={onClose}
      footer={null}
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Alert type="info" showIcon message={t('materials.shareModal.hint')} />
        {!customerId && !externalUserId && (
          <Form.Item label={t('materials.shareModal.customer')} style={{ marginBottom: 0 }}>
            <Select
              showSearch
              allowClear
              filterOption={false}
              onSearch={setQ}
              value={customer}
              onChange={setCustomer}
              placeholder={t('materials.shareModal.customerPlaceholder')}
              options={(customers.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
              data-testid="share-customer"
            />
          </Form.Item>
        )}
        <Button type="primary" block loading={busy} onClick={create} data-testid="share-create">
          {t('materials.shareModal.create')}
        </Button>
        {share && (
          <>
            <Input
              readOnly
              value={share.url}
              data-testid="share-url"
              addonBefore={t('materials.shareModal.link')}
            />
            <Space wrap>
              <Button
                onClick={() =>
                  navigator.clipboard
                    ?.writeText(share.url)
                    .then(() => message.success(t('materials.shareModal.copied')))
                }
              >
                {t('materials.shareModal.copy')}
              </Button>
              <Button href={share.url} target="_blank">
                {t('materials.shareModal.open')}
              </Button>
            </Space>
            {material.kind === 'poster' && (
              <Image
                width={200}
                src={`/api/v1/materials/${material.id}/poster`}
                alt={t('materials.shareModal.poster')}
              />
            )}
          </>
        )}
      </Space>
    </Modal>
  );
}
